package org.snowcrash.backend.docker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.EventSink;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.StartFailure;
import org.snowcrash.openai.OpenAiClient;

/**
 * Waits until a started server is ready, in the manner of Testcontainers' wait strategies:
 * {@code /health} polled until 200 (503 means loading), the container's exit noticed at once
 * (its attach stream ends), a bound on the whole wait, then an optional one-token liveness
 * probe. Progress is published every 5 s.
 */
final class Readiness {

    private final Duration healthPoll;
    private final boolean livenessProbe;
    private final EventSink events;

    Readiness(Duration healthPoll, boolean livenessProbe, EventSink events) {
        this.healthPoll = healthPoll;
        this.livenessProbe = livenessProbe;
        this.events = events;
    }

    /**
     * Blocks until ready.
     *
     * @param oomKilled asked once the container has exited: whether the engine saw it killed for memory
     * @throws BackendStartException {@code Exited} with status and last lines, {@code Timeout},
     *                               {@code NotAnswering} from the probe, or {@code Interrupted}
     */
    void await(String modelId, OpenAiClient client, Lifeline lifeline, Duration timeout, Supplier<Boolean> oomKilled)
            throws BackendStartException {
        long t0 = System.nanoTime();
        long deadline = t0 + timeout.toNanos();
        long nextProgress = t0 + TimeUnit.SECONDS.toNanos(5);
        Duration probe = Duration.ofMillis(Math.max(200, healthPoll.toMillis() * 20));
        String last = "no answer yet";
        while (true) {
            if (lifeline.hasEnded()) {
                throw exited(modelId, lifeline, oomKilled);
            }
            int status = client.health(probe);
            if (status == 200) {
                break;
            }
            last = status < 0 ? "no answer yet" : status == 503 ? "503 loading model" : "HTTP " + status;
            long now = System.nanoTime();
            if (now >= nextProgress) {
                events.publish(new LifecycleEvent.Progress(DockerBackend.ID, modelId, "waiting for the server ("
                        + last + ", " + TimeUnit.NANOSECONDS.toSeconds(now - t0) + " s)"));
                nextProgress = now + TimeUnit.SECONDS.toNanos(5);
            }
            if (now >= deadline) {
                throw new BackendStartException(DockerBackend.ID, modelId, new StartFailure.Timeout(timeout, last));
            }
            try {
                // Waiting on the attach stream's end doubles as the poll interval: an exit wakes us at once.
                if (lifeline.awaitEnd(healthPoll.toMillis())) {
                    throw exited(modelId, lifeline, oomKilled);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendStartException(DockerBackend.ID, modelId, new StartFailure.Interrupted());
            }
        }
        if (livenessProbe) {
            probe(modelId, client);
        }
    }

    private static BackendStartException exited(String modelId, Lifeline lifeline, Supplier<Boolean> oomKilled) {
        int code = lifeline.exitStatus().orElse(-1);
        return new BackendStartException(DockerBackend.ID, modelId,
                new StartFailure.Exited(code, Boolean.TRUE.equals(oomKilled.get()), lifeline.lastLines()));
    }

    /**
     * A one-token request right after {@code /health} said 200: a server can report healthy and
     * still fail every request (a broken chat template, a stuck slot); such a start counts as failed.
     */
    private static void probe(String modelId, OpenAiClient client) throws BackendStartException {
        try {
            client.chat(ChatRequest.of(List.of(ChatMessage.user("ping")), 1).withTemperature(0));
        } catch (ChatException e) {
            throw new BackendStartException(DockerBackend.ID, modelId, new StartFailure.NotAnswering(e.failure().describe()), e);
        }
    }
}
