package org.snowcrash.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.snowcrash.registry.Configuration;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The top-level {@code snowcrash} command and the options every subcommand shares. */
@Command(name = "snowcrash", mixinStandardHelpOptions = true, version = "snowcrash 0.1.0",
        description = "Talk to a local LLM, whatever runs it: Docker (llama-server) first, in-process llama.cpp as fallback.",
        subcommands = {ChatCommand.class, BackendsCommand.class, ModelsCommand.class, InspectCommand.class,
                StopAllCommand.class, PullCommand.class})
public final class SnowcrashCommand {

    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Configuration file (default: ./snowcrash.properties, or $SNOWCRASH_CONFIG).")
    Path config;

    @Option(names = {"-D", "--set"}, scope = ScopeType.INHERIT, paramLabel = "KEY=VALUE",
            description = "Set a configuration key; beats every other source.")
    Map<String, String> flags = new LinkedHashMap<>();

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "Log what happens (debug level).")
    boolean verbose;

    /**
     * Removes containers left by snowcrash processes that died without cleaning up (SIGKILL, a
     * crash), before the command does anything else. Quietly does nothing without a reachable
     * engine; never fails the command.
     */
    void sweepOrphans(Configuration config) {
        try {
            org.snowcrash.backend.docker.DockerManager.removeAbandonedIfReachable(config);
        } catch (RuntimeException | LinkageError e) {
            org.slf4j.LoggerFactory.getLogger(SnowcrashCommand.class).debug("orphan sweep skipped: {}", e.toString());
        }
    }

    /** The configuration from every source, flags on top. */
    Configuration configuration() {
        return Configuration.load(Optional.ofNullable(config), flags);
    }
}
