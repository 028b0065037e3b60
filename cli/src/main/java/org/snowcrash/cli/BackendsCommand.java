package org.snowcrash.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;

import org.snowcrash.api.Availability;
import org.snowcrash.api.BackendContext;
import org.snowcrash.registry.BackendRegistry;
import org.snowcrash.registry.BrokenPlugin;
import org.snowcrash.registry.Candidate;
import org.snowcrash.registry.Configuration;
import org.snowcrash.registry.Discovery;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code snowcrash backends}: every discovered backend in try order, with its availability. */
@Command(name = "backends", description = "List the discovered backends in the order they are tried.")
final class BackendsCommand implements Callable<Integer> {

    @ParentCommand
    SnowcrashCommand root;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        Configuration config = root.configuration();
        root.sweepOrphans(config);
        Discovery d = BackendRegistry.discover(config);
        BackendContext context = BackendContext.of(config);
        for (Candidate c : d.candidates()) {
            String state;
            if (!c.enabled()) {
                state = "disabled (backend." + c.id() + ".enabled=false)";
            } else {
                Availability a;
                try {
                    a = c.backend().availability(context);
                } catch (RuntimeException | LinkageError e) {
                    a = Availability.unavailable("availability check threw " + e);
                }
                state = a instanceof Availability.Unavailable u ? "unavailable: " + u.reason() : "available";
            }
            out.println(c.id() + " priority=" + c.priority() + " " + state);
        }
        for (BrokenPlugin b : d.broken()) {
            System.err.println("broken plugin: " + b.describe());
        }
        if (d.candidates().isEmpty()) {
            System.err.println("no backend found: add a backend jar to the lib/ folder");
        }
        return 0;
    }
}
