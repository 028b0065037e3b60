package org.snowcrash.openai;

/**
 * What happened on the wire during one call of an {@link OpenAiClient}, for a caller that decides
 * itself whether a failed request may be sent elsewhere: a request that never reached a server
 * cannot have run there, and one the server answered with an error status was refused, not run.
 *
 * <p>Create one per call and pass it in; the client writes it (possibly from OkHttp's threads)
 * and the caller reads it once the call has returned or thrown. Thread-safe.
 */
public final class Exchange {

    private volatile boolean reachedServer;
    private volatile int status = -1;

    /**
     * Whether a connection to the server was made and the request was about to be written: from
     * then on the server may have it, so sending it again elsewhere could run it twice. False
     * when connecting failed (refused, unreachable, timed out, TLS handshake refused).
     */
    public boolean reachedServer() {
        return reachedServer;
    }

    /** The HTTP status of the response, or -1 when none arrived. */
    public int status() {
        return status;
    }

    void markReachedServer() {
        reachedServer = true;
    }

    void status(int code) {
        status = code;
    }

    @Override
    public String toString() {
        return "Exchange[reachedServer=" + reachedServer + ", status=" + status + "]";
    }
}
