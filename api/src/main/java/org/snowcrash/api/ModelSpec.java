package org.snowcrash.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A model and the runtime settings every backend means, so that one spec drives llama-server's
 * flags, java-llama.cpp's parameters and a remote server's request alike.
 *
 * <p>Only what every backend understands is here. Settings that one backend alone means live with
 * that backend and are read by it from its own keys, as gRPC keeps Netty settings on
 * {@code NettyChannelBuilder}: the Docker backend reads a model's port, container name, memory
 * and shared-memory limits and extra server arguments from {@code model.<id>.port},
 * {@code .container}, {@code .memory}, {@code .shm-size} and {@code .args}.
 *
 * <p>Immutable and validated at construction: an id outside {@link #ID_PATTERN}, a non-positive
 * context size or start-up timeout is an {@link IllegalArgumentException} here, not a failure at
 * start. This record owns the defaults of these settings ({@link Builder}).
 *
 * @param id             the model's id in the catalog ({@code llama}, {@code phi-3}, {@code demo});
 *                       lower-case letters, digits, {@code .}, {@code _} and {@code -}
 * @param file           the GGUF file, absolute
 * @param gpuLayers      layers to offload to a GPU ({@code -ngl}); 0 for CPU only
 * @param contextSize    context window in tokens ({@code -c})
 * @param batchSize      logical batch size ({@code -b})
 * @param threads        generation threads ({@code -t}); 0 lets the runtime choose
 * @param startupTimeout how long a backend may take to become ready
 * @param parallel       how many requests the model serves at once (server slots, {@code -np});
 *                       each gets {@code contextSize / parallel} tokens of context. A backend that
 *                       serializes requests (in-process) serves one at a time whatever this says.
 * @param toolFormat     how tools reach the model ({@code model.<id>.tool-format}, {@link ToolFormat#NATIVE} by default)
 */
public record ModelSpec(
        String id,
        Path file,
        int gpuLayers,
        int contextSize,
        int batchSize,
        int threads,
        Duration startupTimeout,
        int parallel,
        ToolFormat toolFormat) {

    /** What a model id may look like: it becomes part of configuration keys, container names and paths. */
    public static final Pattern ID_PATTERN = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    /** The original project's conservative defaults: {@code -ngl 8 -c 512 -b 128}. */
    public static final int DEFAULT_GPU_LAYERS = 8;
    /** Default context window. */
    public static final int DEFAULT_CONTEXT_SIZE = 512;
    /** Default logical batch size. */
    public static final int DEFAULT_BATCH_SIZE = 128;
    /** Default start-up bound. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(2);

    public ModelSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        Objects.requireNonNull(toolFormat, "toolFormat");
        if (!isValidId(id)) {
            throw new IllegalArgumentException("model id '" + id + "' must be 1-64 characters of "
                    + "lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        requireAtLeast("gpuLayers", gpuLayers, 0);
        requireAtLeast("contextSize", contextSize, 1);
        requireAtLeast("batchSize", batchSize, 1);
        requireAtLeast("threads", threads, 0);
        requireAtLeast("parallel", parallel, 1);
        if (startupTimeout.isNegative() || startupTimeout.isZero()) {
            throw new IllegalArgumentException("startupTimeout must be positive, got " + startupTimeout);
        }
        file = file.toAbsolutePath().normalize();
    }

    /** A spec whose model gets tools in its own template ({@link ToolFormat#NATIVE}). */
    public ModelSpec(String id, Path file, int gpuLayers, int contextSize, int batchSize, int threads,
                     Duration startupTimeout, int parallel) {
        this(id, file, gpuLayers, contextSize, batchSize, threads, startupTimeout, parallel, ToolFormat.NATIVE);
    }

    /** A spec that serves one request at a time ({@code parallel} 1). */
    public ModelSpec(String id, Path file, int gpuLayers, int contextSize, int batchSize, int threads,
                     Duration startupTimeout) {
        this(id, file, gpuLayers, contextSize, batchSize, threads, startupTimeout, 1);
    }

    /** Whether {@code id} may name a model (see {@link #ID_PATTERN}; {@code ..} is never allowed). */
    public static boolean isValidId(String id) {
        return id != null && ID_PATTERN.matcher(id).matches() && !id.contains("..");
    }

    private static void requireAtLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
    }

    /** A builder with the defaults above. */
    public static Builder builder(String id, Path file) {
        return new Builder(id, file);
    }

    /** A builder initialised from this spec, to change a few fields. */
    public Builder toBuilder() {
        return new Builder(id, file).gpuLayers(gpuLayers).contextSize(contextSize).batchSize(batchSize)
                .threads(threads).startupTimeout(startupTimeout).parallel(parallel).toolFormat(toolFormat);
    }

    /** Builds a {@link ModelSpec}; validation happens in {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private String id;
        private Path file;
        private int gpuLayers = DEFAULT_GPU_LAYERS;
        private int contextSize = DEFAULT_CONTEXT_SIZE;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int threads = 0;
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private int parallel = 1;
        private ToolFormat toolFormat = ToolFormat.NATIVE;

        private Builder(String id, Path file) {
            this.id = id;
            this.file = file;
        }

        public Builder id(String v) { this.id = v; return this; }
        public Builder file(Path v) { this.file = v; return this; }
        public Builder gpuLayers(int v) { this.gpuLayers = v; return this; }
        public Builder contextSize(int v) { this.contextSize = v; return this; }
        public Builder batchSize(int v) { this.batchSize = v; return this; }
        public Builder threads(int v) { this.threads = v; return this; }
        public Builder startupTimeout(Duration v) { this.startupTimeout = v; return this; }
        public Builder parallel(int v) { this.parallel = v; return this; }
        public Builder toolFormat(ToolFormat v) { this.toolFormat = v; return this; }

        /** Validates and builds. */
        public ModelSpec build() {
            return new ModelSpec(id, file, gpuLayers, contextSize, batchSize, threads, startupTimeout, parallel, toolFormat);
        }
    }
}
