package org.snowcrash.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;

import org.snowcrash.api.BackendContext;
import org.snowcrash.api.Housekeeping;
import org.snowcrash.registry.BackendRegistry;
import org.snowcrash.registry.Candidate;
import org.snowcrash.registry.Configuration;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code snowcrash stop-all}: asks every discovered backend that leaves things behind
 * ({@link Housekeeping}) to remove everything it ever started here (for Docker: every container
 * carrying snowcrash's labels). Exits 1 when a backend could not do it, naming why.
 */
@Command(name = "stop-all", description = "Stop and remove every container snowcrash started (found by its labels).")
final class StopAllCommand implements Callable<Integer> {

    @ParentCommand
    SnowcrashCommand root;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        Configuration config = root.configuration();
        BackendContext context = BackendContext.of(config);
        int removed = 0;
        boolean failed = false;
        for (Candidate c : BackendRegistry.discover(config).candidates()) {
            if (!(c.backend() instanceof Housekeeping h)) {
                continue;
            }
            Housekeeping.Removal r;
            try {
                r = h.removeAll(context);
            } catch (RuntimeException | LinkageError e) {
                r = Housekeeping.Removal.failed("removal threw " + e);
            }
            r.removed().forEach(name -> out.println("removed " + name));
            r.problems().forEach(p -> System.err.println(c.id() + ": " + p));
            removed += r.removed().size();
            failed |= !r.problems().isEmpty();
        }
        out.println(removed + " removed");
        return failed ? Errors.FAILED : 0;
    }
}
