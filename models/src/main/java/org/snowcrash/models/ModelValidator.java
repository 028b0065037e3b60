package org.snowcrash.models;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.snowcrash.api.StartFailure;
import org.snowcrash.models.gguf.GgufException;
import org.snowcrash.models.gguf.GgufFile;
import org.snowcrash.models.gguf.GgufReader;

/**
 * Checks a model file before any backend sees it: present, readable, a GGUF whose header and
 * tensor layout are sound. A file that fails here is the user's to fix and no backend is tried.
 */
public final class ModelValidator {

    private ModelValidator() {
    }

    /** The problem with the file, if there is one. */
    public static Optional<StartFailure.ModelInvalid> problem(Path file) {
        if (!Files.exists(file)) {
            return Optional.of(new StartFailure.ModelInvalid(file, "the file does not exist"));
        }
        if (!Files.isRegularFile(file)) {
            return Optional.of(new StartFailure.ModelInvalid(file, "not a regular file"));
        }
        if (!Files.isReadable(file)) {
            return Optional.of(new StartFailure.ModelInvalid(file, "not readable (permission denied)"));
        }
        try {
            GgufFile g = GgufReader.read(file);
            if (g.tensors().isEmpty()) {
                return Optional.of(new StartFailure.ModelInvalid(file, "the GGUF file holds no tensors"));
            }
            if (g.architecture().isEmpty()) {
                return Optional.of(new StartFailure.ModelInvalid(file, "general.architecture is missing"));
            }
            return Optional.empty();
        } catch (GgufException e) {
            return Optional.of(new StartFailure.ModelInvalid(file, e.getMessage()));
        }
    }
}
