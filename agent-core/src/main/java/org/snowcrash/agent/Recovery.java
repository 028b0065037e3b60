package org.snowcrash.agent;

/**
 * What an {@link Agent} does on the turn after its backend died (connection refused or cut,
 * container gone, silence past the timeout). Set with {@link Agent.Builder#recovery} or the
 * configuration key {@code snowcrash.agent.recovery}.
 */
public enum Recovery {
    /** Start the model again through the whole chain: the same backend first when it can (default). */
    RESTART,
    /** Fall over: start the model on the next backends, leaving out every backend that died in this conversation. */
    NEXT,
    /** Do nothing: every later turn fails until the agent is rebuilt. */
    NONE
}
