package org.snowcrash.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;

import org.snowcrash.registry.BackendRegistry;
import org.snowcrash.registry.BrokenPlugin;
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
        for (BackendStates.State st : BackendStates.of(d, config)) {
            out.println(st.candidate().id() + " priority=" + st.candidate().priority() + " " + st.text());
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
