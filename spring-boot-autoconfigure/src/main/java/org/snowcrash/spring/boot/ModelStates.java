package org.snowcrash.spring.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.snowcrash.api.LifecycleEvent;

/**
 * What the lifecycle events of every model say now, for the health indicator, and the fan-out of
 * those events to the metrics. Fed from Snowcrash's listeners (on the thread doing the work):
 * quick, never throwing, never calling back into a model.
 *
 * <p>Thread-safe: one lock guards the map, held only to read or replace a model's record.
 */
public final class ModelStates {

    /** Hears every event with the id of the model it belongs to. */
    @FunctionalInterface
    public interface Listener {
        /** One event of model {@code modelId}; must be quick and must not throw. */
        void on(String modelId, LifecycleEvent event);
    }

    /**
     * One model as its events tell it.
     *
     * @param backendId       the backend serving it, while one does
     * @param serving         whether a backend serves it now
     * @param fallbacks       why the latest start left preferred backends behind ({@code docker: unavailable: ...}); empty when the first one served
     * @param died            why its backend died, while it waits for a restart; empty otherwise
     * @param stopped         whether it was stopped (closed or unloaded)
     * @param lastStart       how long the latest successful start took on its backend
     */
    public record State(Optional<String> backendId, boolean serving, List<String> fallbacks, Optional<String> died,
                        boolean stopped, Optional<Duration> lastStart) {
        static final State NEW = new State(Optional.empty(), false, List.of(), Optional.empty(), false, Optional.empty());
    }

    /**
     * How often one kind of event happened to one model on one backend.
     *
     * @param event   the event's kind in lower case with dashes ({@code served-by}, {@code fallback}, ...)
     * @param backend the backend it was about
     * @param model   the model it belongs to
     */
    public record Count(String event, String backend, String model) {
    }

    private final Map<Count, AtomicLong> counts = new ConcurrentHashMap<>();

    private final Map<String, State> states = new TreeMap<>();
    /** Fallback reasons of a start in progress, per model, until its ServedBy. */
    private final Map<String, List<String>> pending = new TreeMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /** Adds a listener for later events. */
    public void subscribe(Listener listener) {
        listeners.add(listener);
    }

    /** Records one event of model {@code modelId} and passes it on. */
    public void on(String modelId, LifecycleEvent event) {
        synchronized (states) {
            State s = states.getOrDefault(modelId, State.NEW);
            State next = s;
            if (event instanceof LifecycleEvent.Ready r) {
                next = new State(s.backendId(), s.serving(), s.fallbacks(), s.died(), s.stopped(), Optional.of(r.took()));
            } else if (event instanceof LifecycleEvent.Fallback f) {
                pending.computeIfAbsent(modelId, k -> new ArrayList<>()).add(f.backendId() + ": " + f.reason());
            } else if (event instanceof LifecycleEvent.ServedBy b) {
                next = new State(Optional.of(b.backendId()), true, List.copyOf(pending.getOrDefault(modelId, List.of())),
                        Optional.empty(), false, s.lastStart());
            } else if (event instanceof LifecycleEvent.Degraded d) {
                next = new State(s.backendId(), false, s.fallbacks(), Optional.of(d.reason()), false, s.lastStart());
            } else if (event instanceof LifecycleEvent.Stopped) {
                next = new State(Optional.empty(), false, s.fallbacks(), s.died(), true, s.lastStart());
            }
            if (event instanceof LifecycleEvent.ServedBy) {
                pending.remove(modelId);
            }
            states.put(modelId, next);
        }
        counts.computeIfAbsent(new Count(kind(event), event.backendId(), modelId), k -> new AtomicLong()).incrementAndGet();
        for (Listener l : listeners) {
            try {
                l.on(modelId, event);
            } catch (RuntimeException e) {
                // A metrics listener must never break a model's start; nothing else can be done here.
            }
        }
    }

    /** Every event count so far; the values keep counting. */
    public Map<Count, AtomicLong> counts() {
        return Map.copyOf(counts);
    }

    /** The counter of one kind of event, made when first asked. */
    public AtomicLong count(Count key) {
        return counts.computeIfAbsent(key, k -> new AtomicLong());
    }

    /** {@code ServedBy} → {@code served-by}. */
    static String kind(LifecycleEvent event) {
        return event.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** The state of one model, {@link State#NEW} when it has had no event. */
    public State of(String modelId) {
        synchronized (states) {
            return states.getOrDefault(modelId, State.NEW);
        }
    }
}
