package org.snowcrash.api;

import java.time.Duration;

/**
 * What happens to backends while a model is brought up, published to an {@link EventSink} so that
 * viewers can show it. Every event names the backend it is about.
 */
public sealed interface LifecycleEvent {

    /** The id of the backend this event is about. */
    String backendId();

    /** A backend was skipped before any start: it is unavailable or disabled. */
    record Skipped(String backendId, String reason) implements LifecycleEvent {
    }

    /** A backend is about to start the model. */
    record Starting(String backendId, String modelId) implements LifecycleEvent {
    }

    /** Progress inside a start (image pull, container created, loading), for people to read. */
    record Progress(String backendId, String modelId, String message) implements LifecycleEvent {
    }

    /** The backend started the model and it answers. */
    record Ready(String backendId, String modelId, Duration took) implements LifecycleEvent {
    }

    /** The backend could not start the model. */
    record Failed(String backendId, String modelId, StartFailure failure, Duration took)
            implements LifecycleEvent {
    }

    /** The chain moves on from a failed or unavailable backend to the next one. */
    record Fallback(String backendId, String reason) implements LifecycleEvent {
    }

    /** The backend that finally serves the model. */
    record ServedBy(String backendId, String modelId) implements LifecycleEvent {
    }

    /** A running session stopped working (its container died, its stream broke). */
    record Degraded(String backendId, String modelId, String reason) implements LifecycleEvent {
    }

    /** A session was closed and its resources released. */
    record Stopped(String backendId, String modelId) implements LifecycleEvent {
    }

    /**
     * A model pool unloaded a model (after its {@link Stopped}): its keep-alive ended, it was
     * evicted to make room within the memory budget, or the pool closed.
     *
     * @param reason why, for people: {@code keep-alive expired (5m idle)},
     *               {@code evicted for memory: making room for 'b'}, {@code pool closed}
     */
    record Unloaded(String backendId, String modelId, String reason) implements LifecycleEvent {
    }
}
