package org.snowcrash.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Polls a llama-server's {@code /health} until it says 200: the one readiness wait of every baseline server. */
final class Health {

    private Health() {
    }

    /**
     * Asks {@code health} every {@code every} until it answers 200 or {@code limit} (counted from
     * {@code sinceNanos}, a {@link System#nanoTime()}) has passed.
     *
     * @return whether it answered 200 in time
     */
    static boolean await(HttpClient http, URI health, long sinceNanos, Duration limit, Duration every) throws InterruptedException {
        while (System.nanoTime() - sinceNanos < limit.toNanos()) {
            try {
                if (http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(1)).build(),
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
