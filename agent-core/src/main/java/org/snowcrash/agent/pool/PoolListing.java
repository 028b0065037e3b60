package org.snowcrash.agent.pool;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.snowcrash.agent.RunningModel;
import org.snowcrash.models.CatalogEntry;
import org.snowcrash.models.ModelCatalog;

/**
 * What {@link ModelPool#models()} shows: each model's place in the pool, read under the lock in
 * one pass, then its health and backend asked of the running model itself (never blocks) and its
 * estimate and file read outside the lock.
 */
final class PoolListing {

    private final PoolState pool;
    private final ModelCatalog catalog;
    private final Estimates estimates;

    PoolListing(PoolState pool, ModelCatalog catalog, Estimates estimates) {
        this.pool = pool;
        this.catalog = catalog;
        this.estimates = estimates;
    }

    List<PooledModel> models() {
        record Seen(Slot slot, Slot.Phase phase, RunningModel model, OptionalLong estimate,
                    int inFlight, int queued, Optional<Instant> lastUsed, Optional<Instant> expiresAt) {
        }
        List<Seen> seen = new ArrayList<>();
        pool.lock.lock();
        try {
            for (Slot s : pool.slots.values()) {
                seen.add(new Seen(s, s.phase, s.model, s.reserved ? OptionalLong.of(s.estimate) : OptionalLong.empty(),
                        s.inFlight, s.queue.size(), Optional.ofNullable(s.lastUsed),
                        s.idle() ? Optional.ofNullable(s.expiresAt) : Optional.empty()));
            }
        } finally {
            pool.lock.unlock();
        }
        List<PooledModel> out = new ArrayList<>();
        for (Seen x : seen) {
            CatalogEntry e = x.slot().entry;
            // Health and backend come from the running model itself (never blocks), not from a copy.
            Optional<RunningModel> model = Optional.ofNullable(x.model());
            PooledModel.State state = switch (x.phase()) {
                case UNLOADED -> PooledModel.State.UNLOADED;
                case STARTING -> PooledModel.State.STARTING;
                case LOADED -> model.map(RunningModel::isDown).orElse(false) ? PooledModel.State.DEGRADED : PooledModel.State.READY;
                case UNLOADING -> PooledModel.State.UNLOADING;
            };
            OptionalLong estimate = x.estimate().isPresent() ? x.estimate() : peekEstimate(e);
            out.add(new PooledModel(e.id(), e.description(), state, model.map(m -> m.info().backendId()), estimate,
                    x.inFlight(), x.queued(), x.lastUsed(), x.expiresAt(), fileMissing(e), ModelCatalog.suggestedSystemPrompt(e)));
        }
        return List.copyOf(out);
    }

    private boolean fileMissing(CatalogEntry e) {
        try {
            return catalog.fileMissing(e);
        } catch (RuntimeException ex) {
            return true; // a path that leaves the models directory cannot be served either
        }
    }

    private OptionalLong peekEstimate(CatalogEntry e) {
        try {
            return estimates.peek(catalog.fileOf(e), e.contextSize(), e.batchSize());
        } catch (RuntimeException ex) {
            return OptionalLong.empty(); // a file that leaves the models directory: the start reports it
        }
    }

}
