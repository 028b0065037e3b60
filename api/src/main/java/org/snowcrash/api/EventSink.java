package org.snowcrash.api;

/**
 * Receives {@link LifecycleEvent}s. Implementations must be thread-safe and quick; they are
 * called on the thread that does the work (a start, a pull), so a slow sink slows that work.
 * Exceptions thrown by a sink are the sink's bug: publishers catch and log them.
 */
@FunctionalInterface
public interface EventSink {

    /** A sink that drops every event. */
    EventSink NONE = event -> { };

    /** Delivers one event. */
    void publish(LifecycleEvent event);
}
