package org.snowcrash.machine;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import org.snowcrash.api.Settings;
import org.snowcrash.api.SettingsReader;

/**
 * The machine as configuration sees it: where detection looks, the detected {@link Machine}
 * (once per process and inputs), and the GPU memory that {@code gpu-layers=auto} and the pool
 * plan for.
 *
 * <p><b>GPU memory, in precedence order:</b>
 * <ol>
 *   <li>{@value #GPU_MEMORY_KEY} (a size) when set: exactly that, {@value #GPU_RESERVE_KEY} not subtracted;</li>
 *   <li>else the detected GPU memory (a Jetson's unified memory, the sum of discrete GPUs' memory)
 *       minus {@value #GPU_RESERVE_KEY} (a size, default 0: what the machine's other GPU work
 *       needs, such as a detector);</li>
 *   <li>else none: no GPU is known and {@code gpu-layers=auto} means 0.</li>
 * </ol>
 *
 * <p>{@value #ROOT_KEY} and {@value #PATH_KEY} exist for tests (a fake file tree, a fake
 * {@code nvidia-smi}); on a real machine they stay unset. Thread-safe.
 */
public final class MachineSettings {

    /** The GPU memory to plan for, overriding detection (a size: {@code 8g}). */
    public static final String GPU_MEMORY_KEY = "snowcrash.gpu.memory";
    /** Memory kept free of models on the detected GPU for other work (a size: {@code 7g}); default 0. */
    public static final String GPU_RESERVE_KEY = "snowcrash.gpu.reserve";
    /** For tests: the directory read as {@code /} by detection; default {@code /}. */
    public static final String ROOT_KEY = "snowcrash.machine.root";
    /** For tests: the directories {@code nvidia-smi} is looked for in, separated as in {@code PATH}; default {@code PATH}. */
    public static final String PATH_KEY = "snowcrash.machine.path";
    /** How long {@code nvidia-smi} may take (it answers in well under a second on a healthy driver). */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private record Inputs(Path root, List<Path> path) {
    }

    /** Hardware does not change while we run: one detection per set of inputs. */
    private static final Map<Inputs, Machine> DETECTED = new ConcurrentHashMap<>();

    /**
     * The GPU memory models may fill, with where it came from.
     *
     * @param bytes the memory; empty when no GPU is known
     * @param why   where the number came from, for a log line or a doctor
     */
    public record GpuMemory(OptionalLong bytes, String why) {
    }

    private MachineSettings() {
    }

    /** The machine, detected once per root and path; {@code environment} supplies {@code PATH} when {@value #PATH_KEY} is unset. */
    public static Machine machine(Settings settings, Map<String, String> environment) {
        Inputs in = inputs(settings, environment);
        return DETECTED.computeIfAbsent(in, i -> new MachineProbe(i.root(), i.path(), COMMAND_TIMEOUT).detect());
    }

    /** {@link #machine(Settings, Map)} with this process's environment. */
    public static Machine machine(Settings settings) {
        return machine(settings, System.getenv());
    }

    /** Detects again, bypassing the cache (for {@code snowcrash doctor}, which reports free memory now). */
    public static Machine detectNow(Settings settings, Map<String, String> environment) {
        Inputs in = inputs(settings, environment);
        Machine m = new MachineProbe(in.root(), in.path(), COMMAND_TIMEOUT).detect();
        DETECTED.put(in, m);
        return m;
    }

    /** The root detection reads under ({@value #ROOT_KEY}, default {@code /}). */
    public static Path root(Settings settings) {
        return Path.of(settings.get(ROOT_KEY).map(String::trim).filter(s -> !s.isEmpty()).orElse("/"));
    }

    private static Inputs inputs(Settings settings, Map<String, String> environment) {
        String raw = settings.get(PATH_KEY).orElseGet(() -> environment.getOrDefault("PATH", ""));
        List<Path> path = new ArrayList<>();
        for (String p : raw.split(File.pathSeparator)) {
            if (!p.isBlank()) {
                path.add(Path.of(p.trim()));
            }
        }
        return new Inputs(root(settings).toAbsolutePath().normalize(), List.copyOf(path));
    }

    /**
     * The GPU memory to plan for, in the precedence of the class comment. Bad values are reported
     * to {@code r}; detection runs only when {@value #GPU_MEMORY_KEY} is unset.
     */
    public static GpuMemory gpuMemory(Settings settings, SettingsReader r, Map<String, String> environment) {
        if (settings.get(GPU_MEMORY_KEY).isPresent()) {
            long bytes = r.bytes(GPU_MEMORY_KEY, 1);
            return new GpuMemory(OptionalLong.of(bytes), GPU_MEMORY_KEY + "=" + settings.get(GPU_MEMORY_KEY).get().trim()
                    + " (" + settings.sourceOf(GPU_MEMORY_KEY) + ")");
        }
        long reserve = reserve(settings, r);
        Machine m = machine(settings, environment);
        OptionalLong detected = m.gpuMemory();
        if (m instanceof Machine.CpuOnly) {
            return new GpuMemory(OptionalLong.empty(), GPU_MEMORY_KEY + " is not set and no GPU was detected; running on the CPU");
        }
        if (detected.isEmpty()) {
            return new GpuMemory(OptionalLong.empty(), GPU_MEMORY_KEY + " is not set and the detected GPU's memory is unknown ("
                    + m.describe() + "); set " + GPU_MEMORY_KEY);
        }
        String kind = m instanceof Machine.Jetson ? "the Jetson's unified memory " : "the detected GPU memory ";
        long left = detected.getAsLong() - reserve;
        String reserved = reserve == 0 ? "" : " minus " + GPU_RESERVE_KEY + " " + Sizes.gib(reserve);
        if (left <= 0) {
            return new GpuMemory(OptionalLong.empty(), kind + Sizes.gib(detected.getAsLong()) + reserved
                    + " leaves nothing for models; running on the CPU");
        }
        return new GpuMemory(OptionalLong.of(left), kind + Sizes.gib(detected.getAsLong()) + reserved);
    }

    /** {@link #gpuMemory(Settings, SettingsReader, Map)} with this process's environment. */
    public static GpuMemory gpuMemory(Settings settings, SettingsReader r) {
        return gpuMemory(settings, r, System.getenv());
    }

    /** {@value #GPU_RESERVE_KEY} in bytes, 0 when unset; a bad value is reported to {@code r}. */
    public static long reserve(Settings settings, SettingsReader r) {
        Optional<String> raw = settings.get(GPU_RESERVE_KEY);
        if (raw.isEmpty()) {
            return 0;
        }
        Optional<Long> parsed = SettingsReader.parseBytes(raw.get());
        if (parsed.isEmpty() || parsed.get() < 0) {
            r.problem(GPU_RESERVE_KEY, raw.get(), "must be a size such as 7g or 512m, or 0");
            return 0;
        }
        return parsed.get();
    }
}
