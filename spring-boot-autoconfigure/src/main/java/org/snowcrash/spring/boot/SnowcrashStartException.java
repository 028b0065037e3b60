package org.snowcrash.spring.boot;

/**
 * Snowcrash could not start (or configure) the application's model. Its cause is Snowcrash's own
 * exception (a configuration problem, an invalid model file, no backend started, ...), which
 * {@link SnowcrashFailureAnalyzer} turns into Spring Boot's start-up failure report naming the key
 * to fix.
 */
public final class SnowcrashStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String modelId;

    /** A failure to start {@code modelId}. */
    public SnowcrashStartException(String modelId, RuntimeException cause) {
        super("Snowcrash could not start model '" + modelId + "': " + cause.getMessage(), cause);
        this.modelId = modelId;
    }

    /** The model that did not start (the {@code snowcrash.spring.model} setting). */
    public String modelId() {
        return modelId;
    }
}
