package org.snowcrash.agent;

/**
 * Receives {@link AgentEvent}s. Called on the thread doing the work (the one that started the
 * agent or asked the question), so it must be quick and thread-safe; an exception thrown here
 * is logged and does not disturb the agent.
 */
@FunctionalInterface
public interface AgentListener {
    void onEvent(AgentEvent event);
}
