package org.snowcrash.agent.internal;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of one object (an {@code Agent}, a {@code RunningModel}, a pool, a fallback chain)
 * and the one way events reach them: each in turn, on the calling thread, a listener that throws
 * logged and skipped so that it can neither break the work that published nor starve the
 * listeners after it. Thread-safe (a copy-on-write list: listeners are added rarely and events
 * are many). Not part of Snowcrash's API: {@code internal} packages may change in any release.
 *
 * @param <L> the listener type
 */
public final class Listeners<L> {

    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

    private final List<L> listeners;

    /** Listeners that start as {@code initial}, in that order. */
    public Listeners(List<? extends L> initial) {
        this.listeners = new CopyOnWriteArrayList<>(initial);
    }

    /** Adds a listener after the others. */
    public void add(L listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener; a no-op when it is not there. */
    public void remove(L listener) {
        listeners.remove(listener);
    }

    /** Whether there is none. */
    public boolean isEmpty() {
        return listeners.isEmpty();
    }

    /**
     * Hands {@code event} to every listener through {@code call}; what a listener throws is logged
     * (naming the event's type) and does not stop the others.
     */
    public <E> void publish(E event, BiConsumer<L, E> call) {
        for (L l : listeners) {
            try {
                call.accept(l, event);
            } catch (RuntimeException e) {
                LOG.warn("listener failed on {}: {}", event.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
