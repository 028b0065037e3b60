package org.snowcrash.agent;

import org.snowcrash.api.SnowcrashException;

/**
 * The thread starting a model was interrupted; the backend cleaned up what it had created and
 * the thread's interrupt flag is set again.
 */
public final class InterruptedStartException extends SnowcrashException {

    private static final long serialVersionUID = 1L;

    public InterruptedStartException(String modelId, Throwable cause) {
        super("start of model '" + modelId + "' was interrupted", cause);
    }

    /** Always {@link Kind#INTERRUPTED}. */
    @Override
    public Kind kind() {
        return Kind.INTERRUPTED;
    }
}
