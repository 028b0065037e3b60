package org.snowcrash.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.Housekeeping;
import org.snowcrash.models.ModelCatalog;
import org.snowcrash.registry.BackendRegistry;
import org.snowcrash.registry.Candidate;
import org.snowcrash.registry.Configuration;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The top-level {@code snowcrash} command and the options every subcommand shares. */
@Command(name = "snowcrash", mixinStandardHelpOptions = true, version = "snowcrash 0.1.0",
        description = "Talk to a local LLM, whatever runs it: Docker (llama-server) first, in-process llama.cpp as fallback.",
        subcommands = {ChatCommand.class, BackendsCommand.class, ModelsCommand.class, InspectCommand.class,
                StopAllCommand.class, PullCommand.class, ServeCommand.class, DoctorCommand.class})
public final class SnowcrashCommand {

    private static final Logger LOG = LoggerFactory.getLogger(SnowcrashCommand.class);

    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Configuration file (default: ./snowcrash.properties, or $SNOWCRASH_CONFIG).")
    Path config;

    @Option(names = {"-D", "--set"}, scope = ScopeType.INHERIT, paramLabel = "KEY=VALUE",
            description = "Set a configuration key; beats every other source.")
    Map<String, String> flags = new LinkedHashMap<>();

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "Log what happens (debug level).")
    boolean verbose;

    /**
     * Asks every discovered backend that leaves things behind ({@link Housekeeping}) to remove
     * what snowcrash processes that died without cleaning up (SIGKILL, a crash) left, before the
     * command does anything else; a backend disabled in configuration too, since what it left
     * behind when it was enabled is still there. What could not be done is logged at debug level; this never
     * fails the command (a bad configuration is reported by the command itself right after).
     */
    void sweepOrphans(Configuration config) {
        try {
            BackendContext context = BackendContext.of(config);
            for (Candidate c : BackendRegistry.discover(config).candidates()) {
                if (c.backend() instanceof Housekeeping h) {
                    Housekeeping.Removal r = h.sweepLeftovers(context);
                    r.removed().forEach(name -> LOG.debug("{}: removed {}, left by a process that is gone", c.id(), name));
                    r.problems().forEach(p -> LOG.debug("{}: sweep skipped: {}", c.id(), p));
                }
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("orphan sweep skipped: {}", e.toString());
        }
    }

    /** The configuration from every source, flags on top. */
    Configuration configuration() {
        return Configuration.load(Optional.ofNullable(config), flags);
    }

    /** The catalog of this configuration, knowing the per-model keys of the backends on the classpath. */
    static ModelCatalog catalog(Configuration config) {
        return ModelCatalog.from(config, BackendRegistry.discover(config).modelSettings());
    }
}
