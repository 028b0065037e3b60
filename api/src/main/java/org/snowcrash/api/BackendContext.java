package org.snowcrash.api;

import java.util.Objects;

/**
 * What a backend receives from its host when it is asked for availability or started: the
 * configuration and the sink for lifecycle events.
 *
 * @param settings configuration (already merged from every source)
 * @param events   where a backend reports progress (image pull, container start, loading)
 */
public record BackendContext(Settings settings, EventSink events) {
    public BackendContext {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(events, "events");
    }

    /** A context with the given settings whose events go nowhere (handy in tests and tools). */
    public static BackendContext of(Settings settings) {
        return new BackendContext(settings, EventSink.NONE);
    }
}
