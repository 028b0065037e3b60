package org.snowcrash.cli.rulesfixture;

/** Breaks "no module reaches into another's internal package". */
public final class CliUsingAnotherModulesInternals {
    public Object internal() {
        return new org.snowcrash.agent.internal.RulesFixtureInternal();
    }
}
