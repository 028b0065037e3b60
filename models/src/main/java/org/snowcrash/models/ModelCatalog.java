package org.snowcrash.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.api.SettingsReader;
import org.snowcrash.api.StartFailure;
import org.snowcrash.machine.MachineSettings;
import org.snowcrash.models.hub.HubSource;

/**
 * The models Snowcrash knows: the original project's three ({@code llama}, {@code phi-3},
 * {@code gemma}), the synthesized ones on the classpath ({@code demo}, from {@code snowcrash-demo-model},
 * see {@link SynthesizedModel}), and any model a user defines with
 * {@code model.<id>.file}. Every built-in setting can be overridden with {@code model.<id>.<key>}.
 * Files resolve under {@code snowcrash.models.dir} (default {@code ./models}) and may not leave it.
 * Immutable once built.
 */
public final class ModelCatalog {

    /** Configuration key of the models directory. */
    public static final String MODELS_DIR_KEY = "snowcrash.models.dir";
    /** Default models directory, as in the original project. */
    public static final String DEFAULT_MODELS_DIR = "./models";
    /**
     * The per-model keys every runtime knows, after {@code model.<id>.}: the catalog reads {@code file},
     * {@code gpu-layers}, {@code ctx-size}, {@code batch-size}, {@code threads},
     * {@code startup-timeout}, {@code source} and {@code parallel}; the model pool
     * ({@code org.snowcrash.agent.pool.ModelPool}) reads {@code keep-alive}, {@code max-in-flight},
     * {@code queue} and {@code pinned}. A backend's own per-model keys (the Docker backend's {@code port},
     * {@code container}, ...) are the backend's to declare ({@code LlmBackend.modelSettings()}) and
     * are passed to {@link #from(Settings, Collection)}. Listed so a misspelt key is caught.
     */
    public static final List<String> MODEL_KEYS = List.of("file", "gpu-layers", "ctx-size", "batch-size", "threads",
            "startup-timeout", "source", "keep-alive", "max-in-flight", "queue", "parallel", "tool-format", "pinned");

    /**
     * Where {@code snowcrash pull} gets the built-in models: public repositories holding exactly
     * the catalog's file names. Overridable with {@code model.<id>.source}; a model whose
     * {@code file} is changed loses its default source (it would no longer be that file).
     */
    public static final Map<String, String> DEFAULT_SOURCES = Map.of(
            "llama", "hf:bartowski/Llama-3.2-3B-Instruct-GGUF/Llama-3.2-3B-Instruct-Q4_K_M.gguf",
            "phi-3", "hf:microsoft/Phi-3-mini-4k-instruct-gguf/Phi-3-mini-4k-instruct-q4.gguf",
            "gemma", "hf:unsloth/gemma-3n-E2B-it-GGUF/gemma-3n-E2B-it-Q4_K_M.gguf");

    /** How long a real model (gigabytes from disk) may take to load, by default. */
    static final Duration REAL_MODEL_STARTUP = Duration.ofMinutes(5);

    private final Map<String, CatalogEntry> entries;
    private final Path modelsDir;
    private final MachineSettings.GpuMemory gpuMemory;

    private ModelCatalog(Map<String, CatalogEntry> entries, Path modelsDir, MachineSettings.GpuMemory gpuMemory) {
        this.entries = Collections.unmodifiableMap(entries);
        this.modelsDir = modelsDir;
        this.gpuMemory = gpuMemory;
    }

    /** The built-in entries, before configuration. */
    public static List<CatalogEntry> builtIns() {
        List<CatalogEntry> plain = List.of(
                CatalogEntry.of("llama", "llama3.2/Llama-3.2-3B-Instruct-Q4_K_M.gguf", REAL_MODEL_STARTUP, false,
                        "Llama 3.2 3B Instruct, Q4_K_M"),
                CatalogEntry.of("phi-3", "phi3-mini/Phi-3-mini-4k-instruct-q4.gguf", REAL_MODEL_STARTUP, false,
                        "Phi-3 mini 4k instruct, Q4"),
                CatalogEntry.of("gemma", "gemma2b/gemma-3n-E2B-it-Q4_K_M.gguf", REAL_MODEL_STARTUP, false,
                        "Gemma 3n E2B instruct, Q4_K_M"));
        List<CatalogEntry> all = new ArrayList<>(plain.stream()
                .map(e -> e.withSource(Optional.ofNullable(DEFAULT_SOURCES.get(e.id())).map(HubSource::parse))).toList());
        // The models Snowcrash writes itself (the demo, when snowcrash-demo-model is on the classpath).
        Synthesized.ALL.values().forEach(m -> all.add(m.entry()));
        return List.copyOf(all);
    }

    /** The synthesized models on the classpath, by id, found once. */
    private static final class Synthesized {
        static final Map<String, SynthesizedModel> ALL;

        static {
            Map<String, SynthesizedModel> found = new LinkedHashMap<>();
            for (SynthesizedModel m : java.util.ServiceLoader.load(SynthesizedModel.class, ModelCatalog.class.getClassLoader())) {
                if (m.entry().synthesized()) {
                    found.putIfAbsent(m.entry().id(), m);
                }
            }
            ALL = Collections.unmodifiableMap(found);
        }
    }

    /**
     * Builds the catalog from configuration, with no backend's per-model keys: a
     * {@code model.<id>.port} is then unknown. Front ends that discover backends use
     * {@link #from(Settings, Collection)}.
     *
     * @throws org.snowcrash.api.ConfigurationException listing every problem
     */
    public static ModelCatalog from(Settings settings) {
        return from(settings, List.of());
    }

    /**
     * Builds the catalog from configuration, reporting every bad {@code model.*} value at once.
     *
     * @param backendSettings the per-model keys the backends on the classpath read (a
     *                        {@code Discovery}'s {@code modelSettings()}): accepted besides
     *                        {@link #MODEL_KEYS}, their values left to those backends
     * @throws org.snowcrash.api.ConfigurationException listing every problem
     */
    public static ModelCatalog from(Settings settings, Collection<String> backendSettings) {
        List<String> known = new ArrayList<>(MODEL_KEYS);
        backendSettings.stream().filter(k -> !known.contains(k)).sorted().forEach(known::add);
        SettingsReader r = settings.reader();
        Path dir = Path.of(r.string(MODELS_DIR_KEY, DEFAULT_MODELS_DIR)).toAbsolutePath().normalize();

        Map<String, CatalogEntry> base = new LinkedHashMap<>();
        builtIns().forEach(e -> base.put(e.id(), e));

        Map<String, CatalogEntry> result = ModelKeys.apply(settings, r, known, base);
        MachineSettings.GpuMemory gpuMemory = AutoGpuLayers.gpuMemory(settings, r);
        r.throwIfProblems();
        return new ModelCatalog(result, dir, gpuMemory);
    }

    /**
     * The GPU memory {@code gpu-layers=auto} plans for: {@value AutoGpuLayers#GPU_MEMORY_KEY} when
     * set, else the detected GPU's memory minus {@code snowcrash.gpu.reserve}; empty when no GPU is known.
     */
    public OptionalLong gpuMemory() {
        return gpuMemory.bytes();
    }

    /** Where {@link #gpuMemory()} came from, in words. */
    public String gpuMemorySource() {
        return gpuMemory.why();
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
     * Whether an entry's file is missing and nothing here will write it: such a model cannot
     * answer until its file is fetched ({@link #pullCommand}) or placed. The demo model is never
     * missing in this sense, as it is written on first use.
     */
    public boolean fileMissing(CatalogEntry e) {
        return !e.synthesized() && !Files.exists(fileOf(e));
    }

    /**
     * The system prompt a person trying a model should start from, if the model has one: the
     * demo's scene (what its camera sees), which its answers depend on. Empty for other models.
     */
    public static Optional<String> suggestedSystemPrompt(CatalogEntry e) {
        return e.synthesized() ? Optional.ofNullable(Synthesized.ALL.get(e.id())).flatMap(SynthesizedModel::suggestedSystemPrompt)
                : Optional.empty();
    }

    /**
     * The entry with this id.
     *
     * @throws UnknownModelException for an id the catalog does not know (the message lists the known ones)
     */
    public CatalogEntry entry(String id) {
        return find(id).orElseThrow(() -> new UnknownModelException("unknown model '" + id
                + "'; known models: " + String.join(", ", entries.keySet())
                + (id.equals("demo") ? ". The demo model comes with org.snowcrash:snowcrash-demo-model: add it to the classpath" : "")
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
     * The spec for a model id, writing the demo model first when it is synthesized and missing or
     * not this version's (an earlier version's copy, or a damaged one).
     *
     * @throws UnknownModelException for an id the catalog does not know (the message lists the known ones)
     * @throws IOException when the demo model cannot be written
     */
    public ModelSpec spec(String id) throws IOException {
        CatalogEntry e = entry(id);
        Path file = fileOf(e);
        SynthesizedModel writer = e.synthesized() ? Synthesized.ALL.get(e.id()) : null;
        if (writer != null && !writer.isCurrent(file)) {
            writer.install(file);
        }
        int gpuLayers = e.gpuLayers() == AutoGpuLayers.AUTO ? AutoGpuLayers.resolve(e, file, gpuMemory).layers() : e.gpuLayers();
        return new ModelSpec(e.id(), file, gpuLayers, e.contextSize(), e.batchSize(), e.threads(), e.startupTimeout(),
                e.parallel(), e.toolFormat());
    }
}
