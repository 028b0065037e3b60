package org.snowcrash.api;

import java.util.Objects;

/**
 * The answer of {@link LlmBackend#availability(BackendContext)}: available, or unavailable with a
 * reason a person can act on.
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

    /** The shared "available" answer. */
    static Availability available() {
        return new Available();
    }

    /** An "unavailable" answer with its reason. */
    static Availability unavailable(String reason) {
        return new Unavailable(reason);
    }

    /** Whether this answer is {@link Available}. */
    default boolean isAvailable() {
        return this instanceof Available;
    }
}
