package org.snowcrash.server;

import org.snowcrash.api.LifecycleEvent;

/**
 * Receives every {@link LifecycleEvent} of every model with the id of the model it belongs to
 * ({@code Fallback} and {@code Skipped} do not carry one). Called on the thread doing the work,
 * so it must be quick and must not throw, as every listener in Snowcrash.
 */
@FunctionalInterface
interface ModelEventSink {

    /** One event of model {@code modelId}. */
    void publish(String modelId, LifecycleEvent event);
}
