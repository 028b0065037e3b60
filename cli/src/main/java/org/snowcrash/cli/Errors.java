package org.snowcrash.cli;

import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.SnowcrashException;

/** Turns exceptions into one clear message and an exit status. */
final class Errors {

    /** Exit status: the command was interrupted (as for Ctrl-C). */
    static final int INTERRUPTED = 130;
    /** Exit status: no backend could start the model. */
    static final int NO_BACKEND = 3;
    /** Exit status: bad input (configuration, unknown model or backend, invalid model file). */
    static final int BAD_INPUT = 2;
    /** Exit status: a request failed. */
    static final int FAILED = 1;
    /** Exit status: {@code pull} could not download the file (hub refused, network, checksum, disk full, not a GGUF). */
    static final int DOWNLOAD_FAILED = 4;

    private Errors() {
    }

    static int exitCode(Throwable e) {
        if (e instanceof SnowcrashException s) {
            return switch (s.kind()) {
                case BAD_INPUT -> BAD_INPUT;
                case NO_BACKEND -> NO_BACKEND;
                case REQUEST_FAILED -> FAILED;
                case INTERRUPTED -> INTERRUPTED;
            };
        }
        // Our own option checks (--max-tokens 0) throw this before anything starts.
        return e instanceof IllegalArgumentException ? BAD_INPUT : FAILED;
    }

    /**
     * The short name a failed request is shown with ({@code error: ContextOverflow: ...}): the
     * SPI's own cases by their type, a failure defined in some component's own terms by its stable
     * code ({@code model_busy}), as its type may be anything, even anonymous.
     */
    static String kind(ChatFailure f) {
        return f instanceof ChatFailure.Specific s ? s.code() : f.getClass().getSimpleName();
    }

    /** Our exceptions' messages are written for people; anything else is a bug worth its class name. */
    static String describe(Throwable e) {
        if (e instanceof SnowcrashException || e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage() + " (run with --verbose for details)";
    }
}
