package org.snowcrash.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Polls a llama-server's {@code /health} until it says 200: the one readiness wait of every baseline server.
 *
 * <p>It polls with a client of its own, never with the one that is then measured. A poll leaves
 * an idle keep-alive connection in its client's pool, and llama-server closes an idle connection
 * after 5 s ({@code Keep-Alive: timeout=5}); the JDK client reuses a pooled connection for the next
 * request to the same address even when that request says {@code Connection: close}. A measured
 * POST sent about 5 s after the last poll (the time {@code serve}'s first request takes to start
 * its model) went out on a connection the server was closing, and failed with "HTTP/1.1 header
 * parser received no bytes" (a POST is not retried). {@code HealthTest} shows both.
 */
final class Health {

    /** HTTP/1.1: a GET needs no h2c upgrade offer. Its idle connections are only ever reused by polls. */
    private static final HttpClient PROBE = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    private Health() {
    }

    /**
     * Asks {@code health} every {@code every} until it answers 200 or {@code limit} (counted from
     * {@code sinceNanos}, a {@link System#nanoTime()}) has passed.
     *
     * @return whether it answered 200 in time
     */
    static boolean await(URI health, long sinceNanos, Duration limit, Duration every) throws InterruptedException {
        while (System.nanoTime() - sinceNanos < limit.toNanos()) {
            try {
                if (PROBE.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(every.toMillis());
        }
        return false;
    }
}
