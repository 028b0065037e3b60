package org.snowcrash.agent;

import org.snowcrash.api.SnowcrashException;
import org.snowcrash.api.StartFailure;

/**
 * The model file is missing, unreadable or not a sound GGUF. Reported once, before any backend
 * is tried, because no backend could do better.
 */
public final class InvalidModelException extends SnowcrashException {

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

    /** Always {@link Kind#BAD_INPUT}: the file is the user's to fix. */
    @Override
    public Kind kind() {
        return Kind.BAD_INPUT;
    }
}
