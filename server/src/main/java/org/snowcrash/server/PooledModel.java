package org.snowcrash.server;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One catalog model and what it is doing now, for {@code GET /v1/models} and the viewer.
 *
 * <p>Temporary: a field-for-field mirror of {@code org.snowcrash.agent.pool.PooledModel}, which
 * the model pool (agent-core) brings; when the pool lands this record goes and the server uses
 * the pool's.
 *
 * @param id             catalog id
 * @param description    one line for people
 * @param state          whether it is loaded
 * @param backendId      the backend serving it, when loaded
 * @param estimatedBytes the memory it is estimated to take, when known
 * @param inFlight       requests running on it now
 * @param queued         requests waiting for a turn on it
 * @param lastUsed       when its last request ended
 */
record PooledModel(String id, String description, State state, Optional<String> backendId,
                   OptionalLong estimatedBytes, int inFlight, int queued, Optional<Instant> lastUsed) {

    /** Whether a model is loaded. */
    enum State { UNLOADED, STARTING, READY, DEGRADED }

    PooledModel {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(backendId, "backendId");
        Objects.requireNonNull(estimatedBytes, "estimatedBytes");
        Objects.requireNonNull(lastUsed, "lastUsed");
    }
}
