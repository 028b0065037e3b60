package org.snowcrash.cli;

import org.snowcrash.agent.InvalidModelException;
import org.snowcrash.agent.NoBackendStartedException;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.models.UnknownModelException;
import org.snowcrash.registry.UnknownBackendException;

/** Turns exceptions into one clear message and an exit status. */
final class Errors {

    /** Exit status: no backend could start the model. */
    static final int NO_BACKEND = 3;
    /** Exit status: bad input (configuration, unknown model or backend, invalid model file). */
    static final int BAD_INPUT = 2;
    /** Exit status: a request failed. */
    static final int FAILED = 1;
    /** Exit status: {@code pull} could not download the file (hub refused, network, checksum, disk full, not a GGUF). */
    static final int DOWNLOAD_FAILED = 4;
    /** Exit status: interrupted (Ctrl-C), as the shell reports SIGINT. */
    static final int INTERRUPTED = 130;

    private Errors() {
    }

    static int exitCode(Throwable e) {
        if (e instanceof NoBackendStartedException) {
            return NO_BACKEND;
        }
        if (e instanceof ConfigurationException || e instanceof UnknownModelException
                || e instanceof UnknownBackendException || e instanceof InvalidModelException
                || e instanceof IllegalArgumentException) {
            return BAD_INPUT;
        }
        return FAILED;
    }

    static String describe(Throwable e) {
        if (e instanceof NoBackendStartedException || e instanceof ConfigurationException
                || e instanceof UnknownModelException || e instanceof UnknownBackendException
                || e instanceof InvalidModelException || e instanceof ChatException
                || e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage() + " (run with --verbose for details)";
    }
}
