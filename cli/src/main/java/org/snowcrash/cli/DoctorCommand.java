package org.snowcrash.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

import org.snowcrash.api.ConfigurationException;
import org.snowcrash.machine.DoctorCheck;
import org.snowcrash.machine.Evidence;
import org.snowcrash.machine.Finding;
import org.snowcrash.machine.Machine;
import org.snowcrash.machine.MachineSettings;
import org.snowcrash.registry.BackendRegistry;
import org.snowcrash.registry.BrokenPlugin;
import org.snowcrash.registry.Configuration;
import org.snowcrash.registry.Discovery;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code snowcrash doctor}: what was detected about the machine and from where, the GPU memory
 * models plan for, what each plugin makes of it (the Docker backend's image, command and GPU
 * access, auto or configured, and its engine), each backend's availability, and what to change.
 * Exit status 0 when some backend is available, else 1.
 */
@Command(name = "doctor", description = "Show what was detected about this machine, the settings it implies, which"
        + " backends are available, and what to change when something is off.")
final class DoctorCommand implements Callable<Integer> {

    @ParentCommand
    SnowcrashCommand root;

    /** For tests: read this directory as {@code /} (a fake Jetson or GPU machine); same as -D snowcrash.machine.root. */
    @Option(names = "--root", hidden = true, paramLabel = "DIR")
    String machineRoot;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        Map<String, String> flags = new LinkedHashMap<>();
        if (machineRoot != null) {
            flags.put(MachineSettings.ROOT_KEY, machineRoot);
        }
        Configuration config = root.configuration().with("command line", flags);
        Map<String, String> env = System.getenv();
        List<Finding> fixes = new ArrayList<>();

        Machine machine = MachineSettings.detectNow(config, env);
        out.println("Machine: " + machine.describe());
        for (Evidence e : machine.why()) {
            out.println("  " + e.describe());
        }
        out.println();
        out.println("GPU memory for models (gpu-layers=auto):");
        try {
            var r = config.reader();
            MachineSettings.GpuMemory m = MachineSettings.gpuMemory(config, r, env);
            r.throwIfProblems();
            out.println("  " + (m.bytes().isPresent() ? mib(m.bytes().getAsLong()) + " from " : "none: ") + m.why());
        } catch (ConfigurationException e) {
            Finding f = Finding.fix(Finding.Status.PROBLEM, "gpu memory", e.getMessage(), "correct the keys named");
            fixes.add(f);
            out.println("  " + line(f));
        }

        for (DoctorCheck check : checks()) {
            out.println();
            out.println(check.id() + ":");
            List<Finding> found;
            try {
                found = check.check(config, env, machine);
            } catch (RuntimeException | LinkageError e) {
                found = List.of(Finding.of(Finding.Status.PROBLEM, check.id(), "the check failed: " + e));
            }
            for (Finding f : found) {
                out.println("  " + line(f));
                if (f.fix().isPresent()) {
                    fixes.add(f);
                }
            }
        }

        out.println();
        out.println("Backends (in the order they are tried):");
        int available = 0;
        Discovery d = BackendRegistry.discover(config);
        for (BackendStates.State st : BackendStates.of(d, config)) {
            if (st.available()) {
                available++;
            }
            out.println("  " + st.candidate().id() + " (priority " + st.candidate().priority() + "): " + st.text());
        }
        for (BrokenPlugin b : d.broken()) {
            out.println("  broken plugin: " + b.describe());
        }

        out.println();
        if (!fixes.isEmpty()) {
            out.println("To change:");
            for (Finding f : fixes) {
                out.println("  - " + f.subject() + ": " + f.fix().orElseThrow());
            }
            out.println();
        }
        out.println(available > 0 ? "Ready: " + available + " backend(s) available."
                : "Not ready: no backend is available" + (d.candidates().isEmpty() ? " (no backend jar found in lib/)" : "") + ".");
        out.flush();
        return available > 0 ? 0 : 1;
    }

    /** {@code [ok]      docker image: ...}. */
    private static String line(Finding f) {
        return String.format(Locale.ROOT, "%-9s %s: %s", "[" + f.status().name().toLowerCase(Locale.ROOT) + "]", f.subject(), f.text());
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    /** Every plugin's check, by id; one that fails to load is reported as a problem and the others still run. */
    private static List<DoctorCheck> checks() {
        List<DoctorCheck> out = new ArrayList<>();
        ServiceLoader<DoctorCheck> loader = ServiceLoader.load(DoctorCheck.class);
        var it = loader.stream().iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                out.add(it.next().get());
            } catch (ServiceConfigurationError | LinkageError e) {
                String why = e.getMessage();
                out.add(new DoctorCheck() {
                    @Override
                    public String id() {
                        return "broken doctor plugin";
                    }

                    @Override
                    public List<Finding> check(org.snowcrash.api.Settings s, Map<String, String> env, Machine m) {
                        return List.of(Finding.of(Finding.Status.PROBLEM, "plugin", why));
                    }
                });
            }
        }
        out.sort(Comparator.comparing(DoctorCheck::id));
        return out;
    }
}
