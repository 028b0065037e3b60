package org.snowcrash.tools.rulesfixture;

/** Breaks the layering: tools sits below agent-core and may not use it. */
public final class ToolsUsingTheAgent {
    public Object agent() {
        return org.snowcrash.agent.Agent.builder();
    }
}
