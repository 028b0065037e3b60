package org.snowcrash.models;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A model whose file Snowcrash writes itself on first use, found by {@link java.util.ServiceLoader}
 * (listed in {@code META-INF/services/org.snowcrash.models.SynthesizedModel}): the demo model, in
 * its own artifact ({@code snowcrash-demo-model}) so that only the command, the tests and those who
 * ask for it carry its 2 MB. The catalog lists each one found as a built-in entry.
 *
 * <p>Implementations are stateless and thread-safe, with a public no-argument constructor.
 */
public interface SynthesizedModel {

    /**
     * Its catalog entry: id, file under the models directory, description, tool format;
     * {@link CatalogEntry#synthesized()} must be true.
     */
    CatalogEntry entry();

    /** Whether {@code file} is this version's model (an earlier version's copy, or a damaged one, is not). */
    boolean isCurrent(Path file) throws IOException;

    /** Writes the model to {@code target} (atomically, verified). */
    void install(Path target) throws IOException;

    /** The system prompt to start from when trying it, if its answers depend on one (the demo's scene). */
    default Optional<String> suggestedSystemPrompt() {
        return Optional.empty();
    }
}
