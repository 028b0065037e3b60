package org.snowcrash.machine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds out what kind of machine this is from the files and commands the system itself offers,
 * read under a root directory (the real {@code /}, or a fake tree in tests) and with
 * {@code nvidia-smi} looked up on a given search path. It never throws and never guesses: a file
 * that is missing, unreadable or not in its documented format is recorded as such in the
 * {@link Evidence} and the next source is tried.
 *
 * <ol>
 *   <li>A Jetson when {@code /etc/nv_tegra_release} exists or {@code /proc/device-tree/model}
 *       names a Jetson. Board: the device tree's {@code model} property, a NUL-terminated string
 *       (Devicetree Specification, "model" property). Release: the first line of
 *       {@code nv_tegra_release} ({@link L4tRelease}). Memory: {@code MemTotal} of
 *       {@code /proc/meminfo} (proc(5)), which the GPU shares.</li>
 *   <li>Discrete GPUs from {@code nvidia-smi --query-gpu=name,memory.total,memory.free,driver_version
 *       --format=csv,noheader,nounits}: one line per GPU, memory in MiB (nvidia-smi(1), "--query-gpu").
 *       When it is absent or fails, the driver's {@code /proc/driver/nvidia/gpus/<bus>/information}
 *       files ({@code Model:} line; the NVIDIA driver README's "procfs" chapter), which give no sizes.</li>
 *   <li>Otherwise CPU only, with {@code MemTotal}.</li>
 * </ol>
 *
 * <p>Thread-safe (no state beyond its inputs). {@link #detect()} blocks for at most the command
 * timeout while {@code nvidia-smi} runs; the command is killed when it overruns.
 */
public final class MachineProbe {

    /** The query the discrete-GPU detection runs, after the command's name. */
    static final List<String> NVIDIA_SMI_QUERY = List.of("--query-gpu=name,memory.total,memory.free,driver_version",
            "--format=csv,noheader,nounits");
    private static final int MAX_FILE = 64 * 1024;
    private static final Pattern MEM_TOTAL = Pattern.compile("(?m)^MemTotal:\\s+(\\d{1,15})\\s*kB\\s*$");
    private static final Pattern MODEL_LINE = Pattern.compile("(?m)^Model:\\s*(.+?)\\s*$");
    private static final Pattern DRIVER_VERSION = Pattern.compile("Kernel Module\\s+(?:for\\s+\\S+\\s+)?(\\d[\\w.]*)");

    private final Path root;
    private final List<Path> searchPath;
    private final Duration commandTimeout;

    /**
     * @param root           where {@code /etc} and {@code /proc} are looked up ({@code /} on a real machine)
     * @param searchPath     the directories {@code nvidia-smi} is looked for in (the {@code PATH})
     * @param commandTimeout how long {@code nvidia-smi} may take before it is killed and ignored
     */
    public MachineProbe(Path root, List<Path> searchPath, Duration commandTimeout) {
        this.root = Objects.requireNonNull(root, "root");
        this.searchPath = List.copyOf(searchPath);
        this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
    }

    /** Looks at the machine; never throws. */
    public Machine detect() {
        List<Evidence> why = new ArrayList<>();
        Optional<Machine> jetson = jetson(why);
        if (jetson.isPresent()) {
            return jetson.get();
        }
        Optional<List<Gpu>> smi = nvidiaSmi(why);
        if (smi.isPresent()) {
            return new Machine.DiscreteGpu(smi.get(), why);
        }
        Optional<List<Gpu>> proc = procGpus(why);
        if (proc.isPresent()) {
            return new Machine.DiscreteGpu(proc.get(), why);
        }
        return new Machine.CpuOnly(memTotal(why), why);
    }

    private Optional<Machine> jetson(List<Evidence> why) {
        String releaseFile = "/etc/nv_tegra_release";
        String modelFile = "/proc/device-tree/model";
        Optional<String> release = read(releaseFile, why);
        Optional<String> model = read(modelFile, why).map(MachineProbe::deviceTreeString);
        boolean namesJetson = model.filter(m -> m.contains("Jetson")).isPresent();
        if (release.isEmpty() && !namesJetson) {
            model.ifPresent(m -> why.add(new Evidence(modelFile, "\"" + m + "\" is not a Jetson")));
            return Optional.empty();
        }
        Optional<L4tRelease> l4t = Optional.empty();
        if (release.isPresent()) {
            String first = release.get().lines().findFirst().orElse("");
            l4t = L4tRelease.parseFirstLine(first);
            why.add(new Evidence(releaseFile, l4t.map(r -> "L4T " + r + " (a Jetson)")
                    .orElse("not in the \"# R<major> (release), REVISION: <minor>.<patch>, ...\" format: \""
                            + shorten(first) + "\"; the L4T release is unknown")));
        }
        Optional<String> board = model.filter(m -> !m.isBlank());
        board.ifPresent(b -> why.add(new Evidence(modelFile, "board \"" + b + "\"")));
        return Optional.of(new Machine.Jetson(board, l4t, memTotal(why), why));
    }

    /** A device-tree string property: NUL-terminated (and may hold several NUL-separated strings: the first counts). */
    private static String deviceTreeString(String raw) {
        int nul = raw.indexOf('\0');
        return (nul < 0 ? raw : raw.substring(0, nul)).strip();
    }

    private Optional<List<Gpu>> nvidiaSmi(List<Evidence> why) {
        Optional<Path> exe = onPath("nvidia-smi");
        if (exe.isEmpty()) {
            why.add(new Evidence("nvidia-smi", "not found on the path " + searchPath));
            return Optional.empty();
        }
        String source = exe.get() + " " + String.join(" ", NVIDIA_SMI_QUERY);
        Commands.Outcome out = Commands.run(exe.get(), NVIDIA_SMI_QUERY, commandTimeout);
        if (!(out instanceof Commands.Outcome.Exited exited) || exited.status() != 0) {
            why.add(new Evidence(source, out.describe()));
            return Optional.empty();
        }
        List<Gpu> gpus = new ArrayList<>();
        for (String line : exited.output().lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
            Optional<Gpu> g = smiLine(line);
            if (g.isEmpty()) {
                why.add(new Evidence(source, "line not in the format name, MiB total, MiB free, driver: \"" + shorten(line) + "\""));
                continue;
            }
            gpus.add(g.get());
        }
        if (gpus.isEmpty()) {
            why.add(new Evidence(source, "listed no GPU"));
            return Optional.empty();
        }
        why.add(new Evidence(source, gpus.size() + " GPU(s): " + String.join("; ", gpus.stream().map(Gpu::name).toList())));
        return Optional.of(gpus);
    }

    /** {@code NVIDIA GeForce RTX 4090, 24564, 24080, 550.54.14}; the name is taken as everything before the last three fields. */
    static Optional<Gpu> smiLine(String line) {
        String[] f = line.split(",");
        if (f.length < 4) {
            return Optional.empty();
        }
        int n = f.length;
        String name = String.join(",", java.util.Arrays.copyOf(f, n - 3)).strip();
        String total = f[n - 3].strip();
        String free = f[n - 2].strip();
        String driver = f[n - 1].strip();
        if (name.isEmpty() || !total.matches("\\d{1,9}") || !free.matches("\\d{1,9}") || !driver.matches("[\\w.-]{1,40}")) {
            return Optional.empty();
        }
        return Optional.of(new Gpu(name, OptionalLong.of(Long.parseLong(total) << 20),
                OptionalLong.of(Long.parseLong(free) << 20), driver));
    }

    private Optional<List<Gpu>> procGpus(List<Evidence> why) {
        Path dir = under("/proc/driver/nvidia/gpus");
        String shown = "/proc/driver/nvidia/gpus";
        if (!Files.isDirectory(dir)) {
            why.add(new Evidence(shown, "not present (no NVIDIA driver loaded)"));
            return Optional.empty();
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(entries::add);
        } catch (IOException | RuntimeException e) {
            why.add(new Evidence(shown, "cannot be listed: " + e.getMessage()));
            return Optional.empty();
        }
        entries.sort(null);
        String driver = read("/proc/driver/nvidia/version", why).map(v -> {
            Matcher m = DRIVER_VERSION.matcher(v);
            return m.find() ? m.group(1) : "";
        }).orElse("");
        List<Gpu> gpus = new ArrayList<>();
        for (Path e : entries) {
            String file = shown + "/" + e.getFileName() + "/information";
            Optional<String> info = read(file, why);
            if (info.isEmpty()) {
                continue;
            }
            Matcher m = MODEL_LINE.matcher(info.get());
            if (!m.find()) {
                why.add(new Evidence(file, "has no \"Model:\" line"));
                continue;
            }
            gpus.add(new Gpu(m.group(1), OptionalLong.empty(), OptionalLong.empty(), driver));
            why.add(new Evidence(file, "GPU \"" + m.group(1) + "\" (the driver's entry gives no memory size)"));
        }
        return gpus.isEmpty() ? Optional.empty() : Optional.of(gpus);
    }

    private OptionalLong memTotal(List<Evidence> why) {
        String file = "/proc/meminfo";
        Optional<String> text = read(file, why);
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        Matcher m = MEM_TOTAL.matcher(text.get());
        if (!m.find()) {
            why.add(new Evidence(file, "has no \"MemTotal: <n> kB\" line"));
            return OptionalLong.empty();
        }
        long bytes = Long.parseLong(m.group(1)) * 1024;
        why.add(new Evidence(file, "MemTotal " + Sizes.gib(bytes)));
        return OptionalLong.of(bytes);
    }

    /** A file's text, at most 64 KiB ({@code /proc} files report size 0, so the size is not asked); empty, with the reason recorded, when it cannot be read. */
    private Optional<String> read(String systemPath, List<Evidence> why) {
        Path p = under(systemPath);
        if (!Files.exists(p)) {
            why.add(new Evidence(systemPath, "not present"));
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(p)) {
            byte[] bytes = in.readNBytes(MAX_FILE);
            return Optional.of(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            why.add(new Evidence(systemPath, "cannot be read: " + e.getMessage()));
            return Optional.empty();
        }
    }

    private Path under(String systemPath) {
        return root.resolve(systemPath.substring(1));
    }

    private Optional<Path> onPath(String command) {
        for (Path dir : searchPath) {
            Path p = dir.resolve(command);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static String shorten(String s) {
        String one = s.replaceAll("\\p{Cntrl}", "?");
        return one.length() <= 120 ? one : one.substring(0, 120) + "...";
    }
}
