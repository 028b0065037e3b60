package org.snowcrash.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.api.SettingsReader;
import org.snowcrash.api.StartFailure;
import org.snowcrash.models.hub.HubSource;

/**
 * The models Snowcrash knows: the original project's three ({@code llama}, {@code phi-3},
 * {@code gemma}), the synthesized {@code demo}, and any model a user defines with
 * {@code model.<id>.file}. Every built-in setting can be overridden with {@code model.<id>.<key>}.
 * Files resolve under {@code snowcrash.models.dir} (default {@code ./models}) and may not leave it.
 * Immutable once built.
 */
public final class ModelCatalog {

    /** Configuration key of the models directory. */
    public static final String MODELS_DIR_KEY = "snowcrash.models.dir";
    /** Default models directory, as in the original project. */
    public static final String DEFAULT_MODELS_DIR = "./models";
    /** The per-model keys, after {@code model.<id>.}. */
    public static final List<String> MODEL_KEYS = List.of("file", "port", "container", "gpu-layers", "ctx-size",
            "batch-size", "threads", "memory", "shm-size", "args", "startup-timeout", "source", "parallel");

    /**
     * Where {@code snowcrash pull} gets the built-in models: public repositories holding exactly
     * the catalog's file names. Overridable with {@code model.<id>.source}; a model whose
     * {@code file} is changed loses its default source (it would no longer be that file).
     */
    public static final Map<String, String> DEFAULT_SOURCES = Map.of(
            "llama", "hf:bartowski/Llama-3.2-3B-Instruct-GGUF/Llama-3.2-3B-Instruct-Q4_K_M.gguf",
            "phi-3", "hf:microsoft/Phi-3-mini-4k-instruct-gguf/Phi-3-mini-4k-instruct-q4.gguf",
            "gemma", "hf:unsloth/gemma-3n-E2B-it-GGUF/gemma-3n-E2B-it-Q4_K_M.gguf");

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final long GIB = 1L << 30;

    private final Map<String, CatalogEntry> entries;
    private final Path modelsDir;

    private ModelCatalog(Map<String, CatalogEntry> entries, Path modelsDir) {
        this.entries = Collections.unmodifiableMap(entries);
        this.modelsDir = modelsDir;
    }

    /** The built-in entries, before configuration. */
    public static List<CatalogEntry> builtIns() {
        List<String> none = List.of();
        Duration two = Duration.ofMinutes(2);
        List<CatalogEntry> plain = List.of(
                new CatalogEntry("llama", "llama3.2/Llama-3.2-3B-Instruct-Q4_K_M.gguf", 8080, "snowcrash-llama-server",
                        8, 512, 128, 0, 2 * GIB, 2 * GIB, none, Duration.ofMinutes(5), false,
                        "Llama 3.2 3B Instruct, Q4_K_M"),
                new CatalogEntry("phi-3", "phi3-mini/Phi-3-mini-4k-instruct-q4.gguf", 8081, "snowcrash-phi3-server",
                        8, 512, 128, 0, 2 * GIB, 2 * GIB, none, Duration.ofMinutes(5), false,
                        "Phi-3 mini 4k instruct, Q4"),
                new CatalogEntry("gemma", "gemma2b/gemma-3n-E2B-it-Q4_K_M.gguf", 8082, "snowcrash-gemma-server",
                        8, 512, 128, 0, 2 * GIB, 2 * GIB, none, Duration.ofMinutes(5), false,
                        "Gemma 3n E2B instruct, Q4_K_M"),
                new CatalogEntry("demo", "demo/snowcrash-demo.gguf", 8090, "snowcrash-demo-server",
                        8, 512, 128, 0, 2 * GIB, 2 * GIB, none, two, true,
                        "tiny random-weight llama written on first use; its answers are noise"));
        return plain.stream().map(e -> e.withSource(Optional.ofNullable(DEFAULT_SOURCES.get(e.id())).map(HubSource::parse)))
                .toList();
    }

    /**
     * Builds the catalog from configuration, reporting every bad {@code model.*} value at once.
     *
     * @throws org.snowcrash.api.ConfigurationException listing every problem
     */
    public static ModelCatalog from(Settings settings) {
        SettingsReader r = settings.reader();
        Path dir = Path.of(r.string(MODELS_DIR_KEY, DEFAULT_MODELS_DIR)).toAbsolutePath().normalize();

        Map<String, CatalogEntry> base = new LinkedHashMap<>();
        builtIns().forEach(e -> base.put(e.id(), e));

        // Ids a user configures: model.<id>.<key>, where <key> has no dot and <id> may.
        Set<String> configured = new TreeSet<>();
        for (String key : settings.keys()) {
            if (!key.startsWith("model.")) {
                continue;
            }
            int last = key.lastIndexOf('.');
            if (last <= "model.".length()) {
                r.problem(key, settings.get(key).orElse(""), "expected model.<id>.<setting>");
                continue;
            }
            String id = key.substring("model.".length(), last);
            String setting = key.substring(last + 1);
            if (!ID.matcher(id).matches() || id.contains("..")) {
                r.problem(key, settings.get(key).orElse(""), "model id '" + id
                        + "' must be lower-case letters, digits, '.', '_' or '-' (no path separators)");
                continue;
            }
            if (!MODEL_KEYS.contains(setting)) {
                String hint = MODEL_KEYS.stream().filter(k -> k.startsWith(setting.substring(0, Math.min(2, setting.length()))))
                        .findFirst().map(k -> "; did you mean model." + id + "." + k + "?").orElse("; known: " + String.join(", ", MODEL_KEYS));
                r.problem(key, settings.get(key).orElse(""), "unknown model setting '" + setting + "'" + hint);
                continue;
            }
            configured.add(id);
        }

        Map<String, CatalogEntry> result = new LinkedHashMap<>(base);
        int nextPort = 8100;
        for (String id : configured) {
            CatalogEntry b = base.get(id);
            String p = "model." + id + ".";
            if (b == null && settings.get(p + "file").isEmpty()) {
                r.problem(p + "file", null, "model '" + id + "' is not in the catalog; define it with " + p + "file");
                continue;
            }
            if (b == null) {
                b = new CatalogEntry(id, "", nextPort++, "snowcrash-" + id + "-server", 8, 512, 128, 0, 2 * GIB,
                        2 * GIB, List.of(), Duration.ofMinutes(5), false, "user-defined model");
            }
            String file = r.string(p + "file", b.file());
            checkRelative(r, p + "file", file);
            String container = r.string(p + "container", b.containerName());
            if (!container.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}")) {
                r.problem(p + "container", container, "must match [a-zA-Z0-9][a-zA-Z0-9_.-]*");
                container = b.containerName();
            }
            List<String> args = settings.get(p + "args").isPresent() ? r.words(p + "args") : b.extraArgs();
            Optional<HubSource> source = file.equals(b.file()) ? b.source() : Optional.empty();
            if (settings.get(p + "source").isPresent()) {
                try {
                    source = Optional.of(HubSource.parse(r.string(p + "source", "")));
                } catch (IllegalArgumentException e) {
                    r.problem(p + "source", settings.get(p + "source").get(), e.getMessage());
                }
            }
            result.put(id, new CatalogEntry(id, file,
                    r.integer(p + "port", b.port(), 1, 65535),
                    container,
                    r.integer(p + "gpu-layers", b.gpuLayers(), 0, 10_000),
                    r.integer(p + "ctx-size", b.contextSize(), 1, 10_000_000),
                    r.integer(p + "batch-size", b.batchSize(), 1, 10_000_000),
                    r.integer(p + "threads", b.threads(), 0, 1024),
                    r.bytes(p + "memory", b.memoryBytes()),
                    r.bytes(p + "shm-size", b.shmBytes()),
                    args,
                    r.duration(p + "startup-timeout", b.startupTimeout()),
                    b.synthesized() && file.equals(b.file()),
                    b.description(), source,
                    r.integer(p + "parallel", b.parallel(), 1, 256)));
        }
        r.throwIfProblems();
        return new ModelCatalog(result, dir);
    }

    private static void checkRelative(SettingsReader r, String key, String file) {
        Path p = Path.of(file);
        if (file.isBlank() || p.isAbsolute() || p.normalize().startsWith("..") || file.contains("\0")) {
            r.problem(key, file, "must be a path relative to the models directory that stays inside it");
        }
    }

    /** The models directory, absolute. */
    public Path modelsDir() {
        return modelsDir;
    }

    /** Every entry, built-ins first. */
    public List<CatalogEntry> entries() {
        return new ArrayList<>(entries.values());
    }

    /** The entry with this id. */
    public Optional<CatalogEntry> find(String id) {
        return Optional.ofNullable(entries.get(id));
    }

    /**
     * The absolute file of an entry. Rejects a path that leaves the models directory, also
     * through a symbolic link, because the directory is what a container gets mounted.
     */
    public Path fileOf(CatalogEntry e) {
        Path p = modelsDir.resolve(e.file()).normalize();
        if (!p.startsWith(modelsDir)) {
            throw new UnknownModelException("model '" + e.id() + "': file " + e.file() + " leaves the models directory " + modelsDir);
        }
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Path real = p.toRealPath();
                Path realDir = modelsDir.toRealPath();
                if (!real.startsWith(realDir)) {
                    throw new UnknownModelException("model '" + e.id() + "': " + p + " is a link to " + real
                            + ", outside the models directory " + realDir);
                }
            } catch (IOException ex) {
                // A dangling link or unreadable path: validation of the file reports it.
            }
        }
        return p;
    }

    /**
     * The entry with this id.
     *
     * @throws UnknownModelException for an id the catalog does not know (the message lists the known ones)
     */
    public CatalogEntry entry(String id) {
        return find(id).orElseThrow(() -> new UnknownModelException("unknown model '" + id
                + "'; known models: " + String.join(", ", entries.keySet())
                + ". Define another with model." + id + ".file=<path under " + modelsDir + ">"));
    }

    /** The command that downloads a model's file, when the catalog knows where it comes from. */
    public Optional<String> pullCommand(String id) {
        return find(id).filter(e -> e.source().isPresent()).map(e -> "snowcrash pull " + e.id());
    }

    /**
     * The problem with a model's file, plus the command that downloads it when the file is
     * missing and the catalog built from {@code settings} has a source for exactly that file.
     * Any other problem, or settings that do not build a catalog, leave it as it is.
     */
    public static StartFailure.ModelInvalid withPullHint(StartFailure.ModelInvalid problem, ModelSpec spec,
                                                         Settings settings) {
        if (settings == null || Files.exists(spec.file(), LinkOption.NOFOLLOW_LINKS)) {
            return problem;
        }
        try {
            ModelCatalog c = from(settings);
            Optional<CatalogEntry> e = c.find(spec.id()).filter(x -> c.fileOf(x).equals(spec.file()));
            Optional<String> command = e.flatMap(x -> c.pullCommand(x.id()));
            return command.map(cmd -> new StartFailure.ModelInvalid(problem.file(),
                    problem.detail() + "; download it with: " + cmd)).orElse(problem);
        } catch (RuntimeException ex) {
            return problem;
        }
    }

    /**
     * The spec for a model id, writing the demo model first when it is synthesized and missing.
     *
     * @throws UnknownModelException for an id the catalog does not know (the message lists the known ones)
     * @throws IOException when the demo model cannot be written
     */
    public ModelSpec spec(String id) throws IOException {
        CatalogEntry e = entry(id);
        Path file = fileOf(e);
        if (e.synthesized() && !Files.exists(file)) {
            TinyLlama.demo().write(file);
        }
        return new ModelSpec(e.id(), file, e.gpuLayers(), e.contextSize(), e.batchSize(), e.threads(), e.port(),
                e.containerName(), e.memoryBytes(), e.shmBytes(), e.extraArgs(), e.startupTimeout(), e.parallel());
    }
}
