package org.snowcrash.agent;

import org.snowcrash.api.StartFailure;

/**
 * The model file is missing, unreadable or not a sound GGUF. Reported once, before any backend
 * is tried, because no backend could do better.
 */
public final class InvalidModelException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient StartFailure.ModelInvalid failure;

    public InvalidModelException(String modelId, StartFailure.ModelInvalid failure) {
        super("model '" + modelId + "': " + failure.describe());
        this.failure = failure;
    }

    /** The typed reason. */
    public StartFailure.ModelInvalid failure() {
        return failure;
    }
}
