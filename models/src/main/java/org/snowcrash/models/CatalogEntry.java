package org.snowcrash.models;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.snowcrash.models.hub.HubSource;

/**
 * A model the catalog knows, with its settings before they are turned into a
 * {@link org.snowcrash.api.ModelSpec}.
 *
 * @param id             catalog id
 * @param file           the GGUF file relative to the models directory
 * @param port           the server port
 * @param containerName  the container name
 * @param gpuLayers      {@code -ngl}
 * @param contextSize    {@code -c}
 * @param batchSize      {@code -b}
 * @param threads        {@code -t}, 0 for the runtime's choice
 * @param memoryBytes    container memory limit
 * @param shmBytes       container shared memory
 * @param extraArgs      extra server arguments
 * @param startupTimeout how long start may take
 * @param synthesized    whether the file is written by {@link TinyLlama} when missing (the demo)
 * @param description    one line for people
 * @param source         where {@code snowcrash pull} downloads the file from, if anywhere
 * @param parallel       requests served at once ({@code -np}), see {@link org.snowcrash.api.ModelSpec#parallel()}
 */
public record CatalogEntry(String id, String file, int port, String containerName, int gpuLayers,
                           int contextSize, int batchSize, int threads, long memoryBytes, long shmBytes,
                           List<String> extraArgs, Duration startupTimeout, boolean synthesized,
                           String description, Optional<HubSource> source, int parallel) {
    public CatalogEntry {
        extraArgs = List.copyOf(extraArgs);
        Objects.requireNonNull(source, "source");
    }

    /** An entry with no download source, serving one request at a time. */
    public CatalogEntry(String id, String file, int port, String containerName, int gpuLayers,
                        int contextSize, int batchSize, int threads, long memoryBytes, long shmBytes,
                        List<String> extraArgs, Duration startupTimeout, boolean synthesized,
                        String description) {
        this(id, file, port, containerName, gpuLayers, contextSize, batchSize, threads, memoryBytes, shmBytes,
                extraArgs, startupTimeout, synthesized, description, Optional.empty(), 1);
    }

    /** This entry with another download source. */
    public CatalogEntry withSource(Optional<HubSource> newSource) {
        return new CatalogEntry(id, file, port, containerName, gpuLayers, contextSize, batchSize, threads, memoryBytes,
                shmBytes, extraArgs, startupTimeout, synthesized, description, newSource, parallel);
    }
}
