package org.snowcrash.agent.pool;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;

import org.snowcrash.agent.RunningModel;
import org.snowcrash.models.CatalogEntry;

/**
 * One catalog model's place in the pool: whether it is loaded, the memory it holds, its requests
 * and its keep-alive timer. Plain mutable state: every field not marked volatile is read and
 * written only with the pool's lock held.
 */
final class Slot {

    /** Where the model is in its life in the pool. */
    enum Phase {
        /** Not loaded; holds no memory. */
        UNLOADED,
        /** A request is starting it (resolving, waiting for memory, or in the backend's start). */
        STARTING,
        /** Loaded: {@link #model} serves. */
        LOADED,
        /** Being closed; still holds its memory until the close ends. */
        UNLOADING
    }

    /** One start, shared by the requests that wait for it: they get its failure too. */
    static final class Start {
        /** Set when the start failed in a way every waiter would also meet; null otherwise. */
        RuntimeException failure;
    }

    final CatalogEntry entry;
    final PoolConfig.Limits limits;

    Phase phase = Phase.UNLOADED;
    /** The start in progress while {@link Phase#STARTING}. */
    Start start;
    /** Whether {@link #estimate} counts against the budget (from the reservation until the close ends). */
    boolean reserved;
    long estimate;
    RunningModel model;
    /** Admitted requests: running, or waiting for the model to be loaded. */
    int inFlight;
    /** Requests waiting for admission, first come first served. */
    final ArrayDeque<Object> queue = new ArrayDeque<>();
    Instant lastUsed;
    /** When an idle model is due to be unloaded; null while in use, unloaded or kept for ever. */
    Instant expiresAt;
    ScheduledFuture<?> timer;
    /** Moving average of how long a request takes here, for {@code Retry-After}. */
    long averageNanos;

    Slot(CatalogEntry entry, PoolConfig.Limits limits) {
        this.entry = entry;
        this.limits = limits;
    }

    String id() {
        return entry.id();
    }

    /** Loaded with nothing in flight or waiting: may be unloaded for idleness or evicted. */
    boolean idle() {
        return phase == Phase.LOADED && inFlight == 0 && queue.isEmpty();
    }

    void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Back to unloaded, holding nothing. */
    void reset() {
        phase = Phase.UNLOADED;
        model = null;
        reserved = false;
        estimate = 0;
        expiresAt = null;
        cancelTimer();
    }
}
