package org.snowcrash.registry;

import java.util.Objects;

import org.snowcrash.api.LlmBackend;

/**
 * A discovered backend with its effective settings.
 *
 * @param backend        the instance ServiceLoader made
 * @param priority       the effective priority (configuration, else the backend's default)
 * @param prioritySource where the priority came from ({@code "default"} or a configuration source)
 * @param enabled        false when {@code backend.<id>.enabled=false}
 */
public record Candidate(LlmBackend backend, int priority, String prioritySource, boolean enabled) {
    public Candidate {
        Objects.requireNonNull(backend);
        Objects.requireNonNull(prioritySource);
    }

    /** The backend's id. */
    public String id() {
        return backend.id();
    }
}
