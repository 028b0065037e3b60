package org.snowcrash.api;

/**
 * The root of every exception Snowcrash throws to its callers, so that a front end (the command,
 * a server) maps any of them to an outcome by its {@link #kind()} instead of by a chain of
 * {@code instanceof} tests.
 *
 * <p>{@link BackendStartException} is deliberately not in this family: it is the SPI's checked
 * exception between a backend and the fallback chain, which always turns it into one of these
 * (a backend that catches {@code RuntimeException} to wrap engine errors must not catch its own
 * typed start failures by accident).
 */
public abstract class SnowcrashException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What kind of failure this is, for people and for exit codes. */
    public enum Kind {
        /** The caller's input is wrong (configuration, unknown model or backend, unusable model file); retrying does not help. */
        BAD_INPUT,
        /** No backend could start the model. */
        NO_BACKEND,
        /** A request to a running model failed. */
        REQUEST_FAILED,
        /** The calling thread was interrupted while starting a model. */
        INTERRUPTED
    }

    protected SnowcrashException(String message, Throwable cause) {
        super(message, cause);
    }

    protected SnowcrashException(String message) {
        super(message);
    }

    /** What kind of failure this is; constant for each exception class. */
    public abstract Kind kind();
}
