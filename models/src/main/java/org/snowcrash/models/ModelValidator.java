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

    /** The outcome of {@link #check}: a sound header, or what is wrong with the file. */
    public sealed interface Result {
        /** The file is a sound GGUF; its header, read once, for callers that need more from it. */
        record Valid(GgufFile header) implements Result {
        }

        /** The file cannot be used. */
        record Invalid(StartFailure.ModelInvalid problem) implements Result {
        }
    }

    /** Checks the file and returns its header when it is sound. */
    public static Result check(Path file) {
        if (!Files.exists(file)) {
            return invalid(file, "the file does not exist");
        }
        if (!Files.isRegularFile(file)) {
            return invalid(file, "not a regular file");
        }
        if (!Files.isReadable(file)) {
            return invalid(file, "not readable (permission denied)");
        }
        try {
            GgufFile g = GgufReader.read(file);
            if (g.tensors().isEmpty()) {
                return invalid(file, "the GGUF file holds no tensors");
            }
            if (g.architecture().isEmpty()) {
                return invalid(file, "general.architecture is missing");
            }
            return new Result.Valid(g);
        } catch (GgufException e) {
            return invalid(file, e.getMessage());
        }
    }

    /** The problem with the file, if there is one. */
    public static Optional<StartFailure.ModelInvalid> problem(Path file) {
        Result r = check(file);
        return r instanceof Result.Invalid ? Optional.of(((Result.Invalid) r).problem()) : Optional.empty();
    }

    private static Result invalid(Path file, String detail) {
        return new Result.Invalid(new StartFailure.ModelInvalid(file, detail));
    }
}
