package org.snowcrash.api.rulesfixture;

/** Breaks "api depends on nothing of ours": an api class that uses the agent. */
public final class ApiReachingOut {
    public Object agent() {
        return org.snowcrash.agent.Agent.builder();
    }
}
