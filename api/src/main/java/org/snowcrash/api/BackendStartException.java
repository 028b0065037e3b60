package org.snowcrash.api;

import java.util.Objects;

/**
 * A backend could not start a model. {@link #failure()} says why in a typed way; the message
 * names the backend and the model.
 */
public final class BackendStartException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String backendId;
    private final String modelId;
    private final transient StartFailure failure;

    public BackendStartException(String backendId, String modelId, StartFailure failure) {
        this(backendId, modelId, failure, null);
    }

    /**
     * @throws IllegalArgumentException if {@code failure} is a {@link StartFailure.BackendSpecific}
     *                                  whose code is not lower snake case
     */
    public BackendStartException(String backendId, String modelId, StartFailure failure, Throwable cause) {
        super(backendId + ": cannot start model '" + modelId + "': " + failure.describe(), cause);
        this.backendId = Objects.requireNonNull(backendId);
        this.modelId = Objects.requireNonNull(modelId);
        this.failure = Objects.requireNonNull(failure);
        if (failure instanceof StartFailure.BackendSpecific s) {
            FailureCodes.check(s, s.code());
        }
    }

    public String backendId() {
        return backendId;
    }

    public String modelId() {
        return modelId;
    }

    /** The typed reason. */
    public StartFailure failure() {
        return failure;
    }
}
