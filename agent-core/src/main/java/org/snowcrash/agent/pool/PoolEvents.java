package org.snowcrash.agent.pool;

import java.util.List;

import org.snowcrash.agent.internal.Listeners;
import org.snowcrash.api.EventSink;
import org.snowcrash.api.LifecycleEvent;

/** The pool's listeners: those that hear every event, and those that also hear which model it is about. */
final class PoolEvents {

    private final Listeners<EventSink> listeners;
    private final Listeners<ModelPool.ModelListener> modelListeners;

    PoolEvents(List<EventSink> listeners, List<ModelPool.ModelListener> modelListeners) {
        this.listeners = new Listeners<>(listeners);
        this.modelListeners = new Listeners<>(modelListeners);
    }

    /** Hands one event of model {@code modelId} to every listener; never called with the pool's lock held. */
    void publish(String modelId, LifecycleEvent event) {
        listeners.publish(event, EventSink::publish);
        modelListeners.publish(event, (l, e) -> l.publish(modelId, e));
    }
}
