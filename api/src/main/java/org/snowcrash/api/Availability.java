package org.snowcrash.api;

import java.util.Objects;

/**
 * The answer of {@link LlmBackend#availability(BackendContext)}: available, unavailable with a
 * reason a person can act on, or not configured.
 *
 * <p>The difference between the last two matters to the user: an unavailable backend was expected
 * to run (a Docker engine that is down) and falling past it is news; a backend that was never set
 * up (a remote backend without endpoints) is simply not tried, and saying so on every run would be
 * noise. Fallback chains report the first as a fallback and only list the second.
 */
public sealed interface Availability {

    /** The backend can be started on this machine. */
    record Available() implements Availability {
    }

    /**
     * The backend cannot run here.
     *
     * @param reason one line saying why, e.g. {@code "no Docker engine at unix:///var/run/docker.sock
     *               (connection refused)"}; never blank
     */
    record Unavailable(String reason) implements Availability {
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
            if (reason.isBlank()) {
                throw new IllegalArgumentException("an unavailable backend must say why");
            }
        }
    }

    /**
     * The backend needs configuration it has not been given, so it is not tried; this is not a
     * fault.
     *
     * @param howTo one line saying what to set to use it, e.g. {@code "set backend.remote.endpoints
     *              to the base URLs of OpenAI-compatible servers"}; never blank
     */
    record NotConfigured(String howTo) implements Availability {
        public NotConfigured {
            Objects.requireNonNull(howTo, "howTo");
            if (howTo.isBlank()) {
                throw new IllegalArgumentException("a backend that is not configured must say how to configure it");
            }
        }
    }

    /** The shared "available" answer. */
    static Availability available() {
        return new Available();
    }

    /** An "unavailable" answer with its reason. */
    static Availability unavailable(String reason) {
        return new Unavailable(reason);
    }

    /** A "not configured" answer saying what to set. */
    static Availability notConfigured(String howTo) {
        return new NotConfigured(howTo);
    }

    /** Whether this answer is {@link Available}. */
    default boolean isAvailable() {
        return this instanceof Available;
    }
}
