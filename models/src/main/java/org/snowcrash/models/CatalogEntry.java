package org.snowcrash.models;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.snowcrash.api.ToolFormat;

import org.snowcrash.api.ModelSpec;
import org.snowcrash.models.hub.HubSource;

/**
 * A model the catalog knows, with the settings every backend means, before they are turned into a
 * {@link ModelSpec}. Settings that one backend alone means (the Docker backend's port, container
 * name, memory) are not here: that backend reads them from its own keys.
 *
 * @param id             catalog id
 * @param file           the GGUF file relative to the models directory
 * @param gpuLayers      {@code -ngl}, or {@link AutoGpuLayers#AUTO} for {@code auto} (resolved when the spec is built)
 * @param contextSize    {@code -c}
 * @param batchSize      {@code -b}
 * @param threads        {@code -t}, 0 for the runtime's choice
 * @param startupTimeout how long start may take
 * @param synthesized    whether the file is written by the tool itself when missing (the demo)
 * @param description    one line for people
 * @param source         where {@code snowcrash pull} downloads the file from, if anywhere
 * @param parallel       requests served at once ({@code -np}), see {@link org.snowcrash.api.ModelSpec#parallel()}
 */
public record CatalogEntry(String id, String file, int gpuLayers, int contextSize, int batchSize, int threads,
                           Duration startupTimeout, boolean synthesized, String description,
                           Optional<HubSource> source, int parallel, ToolFormat toolFormat) {
    public CatalogEntry {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(toolFormat, "toolFormat");
    }

    /** An entry with {@link ModelSpec}'s defaults for everything but the file, start-up bound and text. */
    static CatalogEntry of(String id, String file, Duration startupTimeout, boolean synthesized, String description) {
        return new CatalogEntry(id, file, ModelSpec.DEFAULT_GPU_LAYERS, ModelSpec.DEFAULT_CONTEXT_SIZE,
                ModelSpec.DEFAULT_BATCH_SIZE, 0, startupTimeout, synthesized, description, Optional.empty(), 1, ToolFormat.NATIVE);
    }

    /** This entry with another download source. */
    public CatalogEntry withSource(Optional<HubSource> newSource) {
        return new CatalogEntry(id, file, gpuLayers, contextSize, batchSize, threads, startupTimeout, synthesized,
                description, newSource, parallel, toolFormat);
    }

    /** This entry with another tool format. */
    public CatalogEntry withToolFormat(ToolFormat format) {
        return new CatalogEntry(id, file, gpuLayers, contextSize, batchSize, threads, startupTimeout, synthesized,
                description, source, parallel, format);
    }
}
