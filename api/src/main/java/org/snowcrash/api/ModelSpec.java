package org.snowcrash.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A model and the runtime settings both backends understand, so that one spec drives
 * llama-server's flags and java-llama.cpp's parameters alike.
 *
 * <p>Immutable and validated at construction: an empty id, a non-positive context size or a
 * port outside 1–65535 is an {@link IllegalArgumentException} here, not a failure at start.
 *
 * @param id             the model's id in the catalog ({@code llama}, {@code phi-3}, {@code demo});
 *                       lower-case letters, digits, {@code .}, {@code _} and {@code -}
 * @param file           the GGUF file, absolute
 * @param gpuLayers      layers to offload to a GPU ({@code -ngl}); 0 for CPU only
 * @param contextSize    context window in tokens ({@code -c})
 * @param batchSize      logical batch size ({@code -b})
 * @param threads        generation threads ({@code -t}); 0 lets the runtime choose
 * @param port           the HTTP port a server backend listens on
 * @param containerName  the name a container backend gives its container
 * @param memoryBytes    memory limit for an isolated backend ({@code --memory}); 0 for none
 * @param shmBytes       shared-memory size for a container ({@code --shm-size}); 0 for the engine default
 * @param extraArgs      extra llama-server arguments, passed as they are
 * @param startupTimeout how long a backend may take to become ready
 * @param parallel       how many requests the model serves at once (server slots, {@code -np});
 *                       each gets {@code contextSize / parallel} tokens of context. A backend that
 *                       serializes requests (in-process) serves one at a time whatever this says.
 */
public record ModelSpec(
        String id,
        Path file,
        int gpuLayers,
        int contextSize,
        int batchSize,
        int threads,
        int port,
        String containerName,
        long memoryBytes,
        long shmBytes,
        List<String> extraArgs,
        Duration startupTimeout,
        int parallel) {

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern CONTAINER_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");

    public ModelSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(containerName, "containerName");
        Objects.requireNonNull(extraArgs, "extraArgs");
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        if (!ID.matcher(id).matches() || id.contains("..")) {
            throw new IllegalArgumentException("model id '" + id + "' must be 1-64 characters of "
                    + "lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        requireAtLeast("gpuLayers", gpuLayers, 0);
        requireAtLeast("contextSize", contextSize, 1);
        requireAtLeast("batchSize", batchSize, 1);
        requireAtLeast("threads", threads, 0);
        requireAtLeast("parallel", parallel, 1);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
        }
        if (!CONTAINER_NAME.matcher(containerName).matches()) {
            throw new IllegalArgumentException("container name '" + containerName
                    + "' must match [a-zA-Z0-9][a-zA-Z0-9_.-]*");
        }
        if (memoryBytes < 0 || shmBytes < 0) {
            throw new IllegalArgumentException("memory and shm sizes must not be negative");
        }
        if (startupTimeout.isNegative() || startupTimeout.isZero()) {
            throw new IllegalArgumentException("startupTimeout must be positive, got " + startupTimeout);
        }
        file = file.toAbsolutePath().normalize();
        extraArgs = List.copyOf(extraArgs);
    }

    /** A spec that serves one request at a time ({@code parallel} 1). */
    public ModelSpec(String id, Path file, int gpuLayers, int contextSize, int batchSize, int threads, int port,
                     String containerName, long memoryBytes, long shmBytes, List<String> extraArgs,
                     Duration startupTimeout) {
        this(id, file, gpuLayers, contextSize, batchSize, threads, port, containerName, memoryBytes, shmBytes,
                extraArgs, startupTimeout, 1);
    }

    private static void requireAtLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
    }

    /** A builder with the original project's conservative defaults ({@code -ngl 8 -c 512 -b 128}, 2 GiB). */
    public static Builder builder(String id, Path file) {
        return new Builder(id, file);
    }

    /** A builder initialised from this spec, to change a few fields. */
    public Builder toBuilder() {
        return new Builder(id, file).gpuLayers(gpuLayers).contextSize(contextSize).batchSize(batchSize)
                .threads(threads).port(port).containerName(containerName).memoryBytes(memoryBytes)
                .shmBytes(shmBytes).extraArgs(extraArgs).startupTimeout(startupTimeout).parallel(parallel);
    }

    /** Builds a {@link ModelSpec}; validation happens in {@link #build()}. */
    public static final class Builder {
        private String id;
        private Path file;
        private int gpuLayers = 8;
        private int contextSize = 512;
        private int batchSize = 128;
        private int threads = 0;
        private int port = 8080;
        private String containerName;
        private long memoryBytes = 2L << 30;
        private long shmBytes = 2L << 30;
        private List<String> extraArgs = List.of();
        private Duration startupTimeout = Duration.ofMinutes(2);
        private int parallel = 1;

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
        public Builder port(int v) { this.port = v; return this; }
        public Builder containerName(String v) { this.containerName = v; return this; }
        public Builder memoryBytes(long v) { this.memoryBytes = v; return this; }
        public Builder shmBytes(long v) { this.shmBytes = v; return this; }
        public Builder extraArgs(List<String> v) { this.extraArgs = v; return this; }
        public Builder startupTimeout(Duration v) { this.startupTimeout = v; return this; }
        /** Requests served at once (default 1: one request gets the whole context). */
        public Builder parallel(int v) { this.parallel = v; return this; }

        /** Validates and builds; the container name defaults to {@code snowcrash-<id>-server}. */
        public ModelSpec build() {
            String name = containerName != null ? containerName : "snowcrash-" + id + "-server";
            return new ModelSpec(id, file, gpuLayers, contextSize, batchSize, threads, port, name,
                    memoryBytes, shmBytes, extraArgs, startupTimeout, parallel);
        }
    }
}
