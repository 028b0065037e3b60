package org.snowcrash.api;

import java.util.Objects;

/**
 * A request to a running model failed. {@link #failure()} says how; the message names the
 * backend and the model (and, for a server, where it listens).
 */
public final class ChatException extends SnowcrashException {

    private static final long serialVersionUID = 1L;

    private final transient ChatFailure failure;
    private final String backendId;

    /**
     * @throws IllegalArgumentException if {@code failure} is a {@link ChatFailure.Specific} whose
     *                                  code is not lower snake case
     */
    public ChatException(String backendId, String where, ChatFailure failure, Throwable cause) {
        super(backendId + " (" + where + "): " + failure.describe(), cause);
        this.backendId = backendId;
        this.failure = Objects.requireNonNull(failure);
        if (failure instanceof ChatFailure.Specific s) {
            FailureCodes.check(s, s.code());
        }
    }

    public ChatException(String backendId, String where, ChatFailure failure) {
        this(backendId, where, failure, null);
    }

    /** The typed reason. */
    public ChatFailure failure() {
        return failure;
    }

    /** The backend that failed. */
    public String backendId() {
        return backendId;
    }

    /** Always {@link Kind#REQUEST_FAILED}. */
    @Override
    public Kind kind() {
        return Kind.REQUEST_FAILED;
    }
}
