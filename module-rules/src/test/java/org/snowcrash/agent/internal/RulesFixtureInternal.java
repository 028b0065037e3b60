package org.snowcrash.agent.internal;

/** Stands for something agent-core keeps to itself; it may use its own module freely. */
public final class RulesFixtureInternal {
    public Object own() {
        return org.snowcrash.agent.Recovery.RESTART;
    }
}
