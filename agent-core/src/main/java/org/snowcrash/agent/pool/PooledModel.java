package org.snowcrash.agent.pool;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A catalog model as the pool sees it at one moment, for listings ({@code GET /v1/models}, a
 * viewer's status). Immutable.
 *
 * @param id             the catalog id
 * @param description    the catalog's line for people
 * @param state          loaded or not
 * @param backendId      the backend serving it, while loaded
 * @param estimatedBytes its estimated memory (from the GGUF header, context and batch size); empty
 *                       when the file cannot be read
 * @param inFlight       requests admitted: running, or waiting for the model to start
 * @param queued         requests waiting for admission
 * @param lastUsed       when a request last started or ended, if ever
 * @param expiresAt      when it will be unloaded for being idle, while it is idle and its keep-alive is not negative
 * @param fileMissing    whether its file is missing (and not one Snowcrash writes itself): it cannot answer yet
 * @param suggestedSystem the system prompt to start from when trying it (the demo's scene), if any
 */
public record PooledModel(String id, String description, State state, Optional<String> backendId,
                          OptionalLong estimatedBytes, int inFlight, int queued, Optional<Instant> lastUsed,
                          Optional<Instant> expiresAt, boolean fileMissing, Optional<String> suggestedSystem) {

    /** Where a model is in the pool. */
    public enum State {
        /** Not loaded; the next request starts it. */
        UNLOADED,
        /** Being started (waiting for memory, or in a backend's start). */
        STARTING,
        /** Loaded and answering. */
        READY,
        /** Loaded, but its backend died; the next request starts it again (see {@code snowcrash.agent.recovery}). */
        DEGRADED,
        /** Being unloaded; its memory is freed when this ends. */
        UNLOADING
    }

    public PooledModel {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(backendId, "backendId");
        Objects.requireNonNull(estimatedBytes, "estimatedBytes");
        Objects.requireNonNull(lastUsed, "lastUsed");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(suggestedSystem, "suggestedSystem");
    }
}
