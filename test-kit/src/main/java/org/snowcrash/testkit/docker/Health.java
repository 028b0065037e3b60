package org.snowcrash.testkit.docker;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Waits for a llama-server to say 200 on {@code /health}, the way its own clients do (llama-server
 * sends no "ready" event): polled, and given up at once, with the server's own words, when the
 * server is gone. Used by the container fixture and by the backend-remote tests' namespaced hosts.
 */
public final class Health {

    private Health() {
    }

    /**
     * Returns once {@code health} answers 200.
     *
     * @param gone    asked between polls: why the server is gone (its exit and log), or null while it runs
     * @param timeout how long to wait before an {@link AssertionError} with the last answer
     */
    public static void await(HttpClient http, URI health, Supplier<String> gone, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                int code = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (code == 200) {
                    return;
                }
                last = "HTTP " + code;
            } catch (IOException e) {
                last = e.toString();
            }
            String why = gone.get();
            if (why != null) {
                throw new AssertionError("llama-server exited: " + why);
            }
            Thread.sleep(20); // polling /health, as llama-server's own clients do
        }
        throw new AssertionError("llama-server at " + health + " not healthy after " + timeout.toSeconds() + " s: " + last);
    }
}
