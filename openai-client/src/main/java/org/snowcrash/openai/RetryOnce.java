package org.snowcrash.openai;

import java.util.function.Function;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatResponse;

/**
 * The one retry a chat request may get ({@link OpenAiClient.Builder#retryUnansweredOnce}): sent
 * once more only when the connection was made and then closed with no response at all, and the
 * builder's check says the server is still up. Kept apart because when a generation may run twice
 * is a rule of its own, not a detail of the transport. Immutable, so thread-safe.
 */
final class RetryOnce {

    // The client's category, as before the split: operators filter on it.
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiClient.class);

    /** Whether a request the server closed without answering may be sent once more; null: never. */
    private final Predicate<OpenAiClient> serverStillUp;
    private final String backendId;
    private final String where;

    RetryOnce(Predicate<OpenAiClient> serverStillUp, String backendId, String where) {
        this.serverStillUp = serverStillUp;
        this.backendId = backendId;
        this.where = where;
    }

    /** Runs {@code call} on {@code exchange}, and once more if the rule allows. */
    ChatResponse run(OpenAiClient client, Exchange exchange, Cancellation cancellation, Function<Exchange, ChatResponse> call) {
        try {
            return call.apply(exchange);
        } catch (ChatException e) {
            if (mayRetry(client, e, exchange, cancellation)) {
                return again(exchange, call);
            }
            throw e;
        }
    }

    /**
     * The second try, on an exchange of its own (so a failure to connect is told as one), whose
     * status then becomes the caller's; the caller's exchange keeps saying the server was reached.
     */
    private static ChatResponse again(Exchange exchange, Function<Exchange, ChatResponse> call) {
        Exchange second = new Exchange();
        try {
            return call.apply(second);
        } finally {
            exchange.status(second.status());
        }
    }

    /**
     * Whether a failed request is sent once more: the connection was made and then closed with no
     * response at all (no status line, so no text reached the caller), and the builder's check says
     * the server is still there. Logged.
     */
    private boolean mayRetry(OpenAiClient client, ChatException e, Exchange exchange, Cancellation cancellation) {
        if (serverStillUp == null || cancellation.isCancelled() || !(e.failure() instanceof ChatFailure.BackendGone)
                || !exchange.reachedServer() || exchange.status() >= 0 || !serverStillUp.test(client)
                || cancellation.isCancelled()) { // again: the check may take a second
            return false;
        }
        LOG.warn("{} ({}): the connection closed before the server answered ({}); the server is up, so the request is sent"
                + " once more", backendId, where, e.failure().describe());
        return true;
    }
}
