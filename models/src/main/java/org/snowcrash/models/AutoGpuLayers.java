package org.snowcrash.models;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.Settings;
import org.snowcrash.api.SettingsReader;
import org.snowcrash.machine.MachineSettings;
import org.snowcrash.models.gguf.GgufException;
import org.snowcrash.models.gguf.GgufFile;
import org.snowcrash.models.gguf.GgufReader;

/**
 * Resolves {@code model.<id>.gpu-layers=auto} to a number when a model's spec is built: the
 * {@link GpuLayerPlanner}'s plan for the model file, its context and batch size, and the GPU
 * memory: {@code snowcrash.gpu.memory} when set, else the detected GPU's memory (a Jetson's unified
 * memory) minus {@code snowcrash.gpu.reserve} ({@link MachineSettings}). Without either no GPU
 * is known and auto means 0.
 */
public final class AutoGpuLayers {

    /** The value {@link CatalogEntry#gpuLayers()} holds for {@code gpu-layers=auto}. */
    public static final int AUTO = -1;
    /** Configuration key of the GPU memory the planner may fill (a size: {@code 8g}); unset means no GPU. */
    public static final String GPU_MEMORY_KEY = MachineSettings.GPU_MEMORY_KEY;

    private static final Logger LOG = LoggerFactory.getLogger(AutoGpuLayers.class);

    private AutoGpuLayers() {
    }

    /**
     * The outcome: how many layers and why, in words for a log line.
     *
     * @param layers      the {@code -ngl} value
     * @param explanation why that many
     */
    public record Resolution(int layers, String explanation) {
    }

    /**
     * Plans the layers for an entry whose file is {@code file}. A file that is missing or not a
     * GGUF resolves to 0: the validation that follows reports it, as it does for any model.
     */
    public static Resolution resolve(CatalogEntry entry, Path file, OptionalLong gpuMemory) {
        return resolve(entry, file, new MachineSettings.GpuMemory(gpuMemory, gpuMemory.isPresent() ? GPU_MEMORY_KEY
                : GPU_MEMORY_KEY + " is not set, so no GPU is known; running on the CPU"));
    }

    /** As {@link #resolve(CatalogEntry, Path, OptionalLong)}, with where the memory figure came from for the explanation. */
    public static Resolution resolve(CatalogEntry entry, Path file, MachineSettings.GpuMemory memory) {
        OptionalLong gpuMemory = memory.bytes();
        if (gpuMemory.isEmpty()) {
            return log(entry, new Resolution(0, memory.why()));
        }
        GgufFile header;
        try {
            header = GgufReader.read(file);
        } catch (GgufException e) {
            return log(entry, new Resolution(0, "cannot plan without the model file: " + e.getMessage()));
        }
        GpuLayerPlanner.Model model;
        try {
            model = MemoryEstimator.layers(header, MemoryEstimator.Settings.of(entry.contextSize(), entry.batchSize()));
        } catch (IllegalArgumentException e) {
            return log(entry, new Resolution(0, "cannot plan: " + e.getMessage()));
        }
        int layers = GpuLayerPlanner.plan(model, gpuMemory.getAsLong());
        return log(entry, new Resolution(layers, layers + " of " + model.allLayers() + " layers take "
                + MemoryEstimate.mib(GpuLayerPlanner.bytesOnGpu(model, layers)) + " of the "
                + MemoryEstimate.mib(gpuMemory.getAsLong()) + " of " + memory.why()
                + " (layers, their KV cache, compute buffer and " + MemoryEstimate.mib(GpuLayerPlanner.GPU_RUNTIME_RESERVE)
                + " for the GPU runtime)"));
    }

    /**
     * Reads {@code model.<id>.gpu-layers}: a whole number from 0 to 10000, or {@code auto}
     * ({@link #AUTO}). A bad value is reported to the reader and reads as the default.
     */
    public static int parse(Settings settings, SettingsReader r, String key, int defaultValue) {
        Optional<String> raw = settings.get(key);
        if (raw.isPresent() && raw.get().trim().equalsIgnoreCase("auto")) {
            return AUTO;
        }
        if (raw.isPresent() && !raw.get().trim().matches("\\d{1,5}")) {
            r.problem(key, raw.get(), "must be a whole number from 0 to 10000, or auto");
            return defaultValue;
        }
        return r.integer(key, defaultValue, 0, 10_000);
    }

    /** The GPU memory to plan for as {@link MachineSettings#gpuMemory} finds it. Bad values are reported to the reader. */
    public static MachineSettings.GpuMemory gpuMemory(Settings settings, SettingsReader r) {
        return MachineSettings.gpuMemory(settings, r);
    }

    private static Resolution log(CatalogEntry entry, Resolution r) {
        LOG.info("model '{}': gpu-layers=auto resolved to {}: {}", entry.id(), r.layers(), r.explanation());
        return r;
    }
}
