package org.snowcrash.agent.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.LifecycleEvent;

/**
 * Unloads models: closes each (its container removed), frees its memory in the pool's books and
 * publishes {@link LifecycleEvent.Unloaded} with the reason. Whoever decides a model goes (the
 * pool's close, the memory ledger, the idle reaper, a start that ends after the close) marks it
 * under the lock with {@link Victim#take}, then hands it here without the lock.
 */
final class Unloader {

    private static final Logger LOG = LoggerFactory.getLogger(Unloader.class);

    /** A model being unloaded, with the session that serves it. */
    record Victim(Slot slot, RunningModel model) {

        /** Called with the lock held: marks a loaded slot as unloading and takes its model. */
        static Victim take(Slot slot) {
            slot.phase = Slot.Phase.UNLOADING;
            slot.cancelTimer();
            return new Victim(slot, slot.model);
        }
    }

    private final PoolState state;
    private final PoolEvents events;

    Unloader(PoolState state, PoolEvents events) {
        this.state = state;
        this.events = events;
    }

    /** Called without the lock, for slots this thread marked {@link Slot.Phase#UNLOADING}. */
    void unload(List<Victim> victims, Function<Slot, String> reason) {
        for (Victim v : victims) {
            String backend = v.model().info().backendId();
            try {
                v.model().close();
            } catch (RuntimeException e) {
                LOG.warn("closing model {} failed: {}", v.slot().id(), e.toString());
            }
            String why = reason.apply(v.slot());
            state.lock.lock();
            try {
                v.slot().reset();
                state.changed.signalAll();
            } finally {
                state.lock.unlock();
            }
            LOG.info("model {} unloaded from {}: {}", v.slot().id(), backend, why);
            events.publish(v.slot().id(), new LifecycleEvent.Unloaded(backend, v.slot().id(), why));
        }
    }

    /**
     * The pool's close: marks it closed (waiters fail with {@code Closed}), stops the reaper,
     * unloads every loaded model and waits for unloads already under way. A model still starting
     * is closed by its start when that ends ({@link SharedStart}).
     */
    void closeAll(IdleReaper reaper) {
        List<Unloader.Victim> loaded = new ArrayList<>();
        state.lock.lock();
        try {
            if (state.closed) {
                return;
            }
            state.closed = true;
            for (Slot s : state.slots.values()) {
                s.cancelTimer();
                if (s.phase == Slot.Phase.LOADED) {
                    loaded.add(Unloader.Victim.take(s));
                }
            }
            state.changed.signalAll();
        } finally {
            state.lock.unlock();
        }
        reaper.shutdown();
        unload(loaded, s -> "pool closed");
        state.lock.lock();
        try {
            while (state.slots.values().stream().anyMatch(s -> s.phase == Slot.Phase.UNLOADING)) {
                state.changed.awaitUninterruptibly();
            }
        } finally {
            state.lock.unlock();
        }
    }
}
