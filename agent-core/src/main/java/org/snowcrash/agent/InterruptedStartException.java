package org.snowcrash.agent;

/** The thread starting a model was interrupted; the backend cleaned up what it had created. */
public final class InterruptedStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InterruptedStartException(String modelId, Throwable cause) {
        super("start of model '" + modelId + "' was interrupted", cause);
    }
}
