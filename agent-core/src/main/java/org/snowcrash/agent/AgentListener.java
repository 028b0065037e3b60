package org.snowcrash.agent;

/**
 * Receives {@link AgentEvent}s.
 *
 * <p>Contract: called on the thread doing the work (the one that started the agent, asked the
 * question, or restarted the model), so it must be quick and thread-safe; it must not throw (an
 * exception is logged and ignored, and never disturbs the agent); and it must not call back into
 * the agent synchronously ({@code ask}, {@code close}), only {@link Agent#cancel()}, which never
 * blocks. Hand anything slower to another thread.
 */
@FunctionalInterface
public interface AgentListener {
    /** Delivers one event. */
    void onEvent(AgentEvent event);
}
