package org.snowcrash.backend.llamacpp;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.Availability;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.Capability;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.LlmBackend;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.StartFailure;
import org.snowcrash.models.ModelValidator;
import org.snowcrash.models.gguf.GgufFile;
import org.snowcrash.models.gguf.GgufValue;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;

/**
 * Runs llama.cpp inside this JVM through java-llama.cpp ({@code de.kherud:llama} 4.2.0).
 *
 * <p>Id {@code llamacpp}, default priority 10 (below {@code docker}: in-process is the fallback,
 * since a native crash here takes the whole process down). Availability loads the native library
 * once. Each model file is loaded once per process and reused (see {@link LoadedModel} for why);
 * requests to one model are serialized: the model has one llama.cpp slot with the whole context,
 * whatever {@link ModelSpec#parallel()} says.
 *
 * <p>Tools and structured output: tools are always rendered in Snowcrash's tool format
 * (docs/tool-format.md), forced calls and JSON answers are held by llama.cpp's grammar sampling,
 * and {@code tool_choice} auto runs free until the answer begins a call; see
 * docs/backend-inprocess-tools.md.
 *
 * <p>Configuration: {@code backend.llamacpp.log} ({@code false} by default) lets llama.cpp
 * print its own log to stderr.
 */
public final class LlamaCppBackend implements LlmBackend {

    /** This backend's id. */
    public static final String ID = "llamacpp";

    private static final Logger LOG = LoggerFactory.getLogger(LlamaCppBackend.class);
    private static final Map<Path, LoadedModel> LOADED = new ConcurrentHashMap<>();
    private static final Object LOAD_LOCK = new Object();

    /** For ServiceLoader; does nothing. */
    public LlamaCppBackend() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int defaultPriority() {
        return 10;
    }

    @Override
    public Availability availability(BackendContext context) {
        return NativeLibrary.status();
    }

    @Override
    public ModelSession start(ModelSpec spec, BackendContext context) throws BackendStartException {
        Availability a = NativeLibrary.status();
        if (a instanceof Availability.Unavailable u) {
            throw new BackendStartException(ID, spec.id(), new StartFailure.RuntimeUnavailable(u.reason()));
        }
        // A file the reader rejects must never reach native code: a bad tensor table can crash the JVM.
        ModelValidator.Result checked = ModelValidator.check(spec.file());
        if (checked instanceof ModelValidator.Result.Invalid) {
            throw new BackendStartException(ID, spec.id(), ((ModelValidator.Result.Invalid) checked).problem());
        }
        GgufFile header = ((ModelValidator.Result.Valid) checked).header();
        boolean log = context.settings().reader().bool("backend.llamacpp.log", false);
        // The natives inside the jar are CPU-only: GPU layers mean nothing to them and only make
        // llama.cpp print warnings. A GPU build is brought in with de.kherud.llama.lib.path.
        int gpuLayers = System.getProperty("de.kherud.llama.lib.path") == null ? 0 : spec.gpuLayers();
        LoadedModel.LoadSettings wanted = new LoadedModel.LoadSettings(spec.contextSize(), spec.batchSize(),
                gpuLayers, spec.threads());
        LoadedModel loaded;
        synchronized (LOAD_LOCK) {
            loaded = LOADED.get(spec.file());
            if (loaded != null && !loaded.settings().equals(wanted)) {
                throw new BackendStartException(ID, spec.id(), new StartFailure.Other("model file " + spec.file()
                        + " is already loaded in this process with " + loaded.settings() + "; java-llama.cpp cannot"
                        + " unload it, so it cannot be loaded again with " + wanted + " (use the same settings or a new process)"));
            }
            if (loaded == null) {
                context.events().publish(new LifecycleEvent.Progress(ID, spec.id(), "loading " + spec.file().getFileName() + " in-process"));
                loaded = load(spec, wanted, log, addsBos(header));
                LOADED.put(spec.file(), loaded);
            } else {
                LOG.debug("reusing model {} already loaded in this process", spec.file());
            }
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new BackendStartException(ID, spec.id(), new StartFailure.Interrupted());
        }
        return new LlamaSession(spec, loaded);
    }

    private static LoadedModel load(ModelSpec spec, LoadedModel.LoadSettings s, boolean log, boolean addBos)
            throws BackendStartException {
        ModelParameters p = new ModelParameters()
                .setModel(spec.file().toString())
                .setCtxSize(s.contextSize())
                .setBatchSize(s.batchSize())
                .setParallel(1);
        if (s.gpuLayers() > 0) {
            // Passed only when meaningful: llama.cpp warns about the flag itself on a CPU-only build.
            p.setGpuLayers(s.gpuLayers());
        }
        if (s.threads() > 0) {
            p.setThreads(s.threads());
        }
        if (!log) {
            p.disableLog();
        }
        try {
            LlamaModel model = new LlamaModel(p);
            return new LoadedModel(spec.file(), s, model, addBos, new ReentrantLock(true), new PromptCache(), new Grammars());
        } catch (RuntimeException | LinkageError e) {
            // LlamaException is not public; it and anything else from native loading land here.
            throw new BackendStartException(ID, spec.id(), new StartFailure.Other("llama.cpp could not load "
                    + spec.file() + ": " + e.getMessage()), e);
        }
    }

    /**
     * Tools (in Snowcrash's tool format, docs/tool-format.md: java-llama.cpp 4.2.0 has no tool support
     * of its own), JSON-schema answers and grammars, all held by llama.cpp's grammar sampling; see
     * docs/backend-inprocess-tools.md.
     */
    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.TOOLS, Capability.JSON_SCHEMA, Capability.GRAMMAR);
    }

    /** Whether the tokenizer adds BOS to a prompt (the GGUF says; llama.cpp's SPM default is yes). */
    private static boolean addsBos(GgufFile header) {
        GgufValue v = header.metadata().get("tokenizer.ggml.add_bos_token");
        return v == null || Boolean.TRUE.equals(v.value());
    }
}
