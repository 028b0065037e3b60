package org.snowcrash.server;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.agent.pool.ModelPool;
import org.snowcrash.api.LifecycleEvent;

/**
 * Hands every model's lifecycle events to whoever listens now: the metrics, the clients of
 * {@code GET /v1/events}, and streaming requests that asked for their model's events. A listener
 * that throws is logged and skipped; it never reaches the thread that published.
 */
final class EventHub implements ModelPool.ModelListener {

    private static final Logger LOG = LoggerFactory.getLogger(EventHub.class);

    private final List<ModelPool.ModelListener> listeners = new CopyOnWriteArrayList<>();

    /** Adds a listener; the returned handle removes it (idempotent). */
    AutoCloseable subscribe(ModelPool.ModelListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public void publish(String modelId, LifecycleEvent event) {
        for (ModelPool.ModelListener l : listeners) {
            try {
                l.publish(modelId, event);
            } catch (RuntimeException e) {
                LOG.warn("event listener failed on {}: {}", event.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
