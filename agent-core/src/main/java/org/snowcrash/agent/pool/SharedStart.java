package org.snowcrash.agent.pool;

import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.agent.FailBack;
import org.snowcrash.agent.InterruptedStartException;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.models.MemoryEstimate;
import org.snowcrash.models.ModelCatalog;
import org.snowcrash.registry.Discovery;

/**
 * One start per model, shared: the first request for a model that is not loaded resolves its
 * spec, reserves its memory ({@link MemoryLedger}) and starts it through a {@link RunningModel};
 * requests that arrive meanwhile wait for that start and share its failure. A start that ends
 * after the pool closed is unloaded at once: a model never outlives its pool.
 */
final class SharedStart {

    private static final Logger LOG = LoggerFactory.getLogger(SharedStart.class);

    private final PoolState state;
    private final MemoryLedger ledger;
    private final Unloader unloader;
    private final PoolEvents events;
    private final Settings settings;
    private final ModelCatalog catalog;
    private final Discovery discovery;

    SharedStart(PoolState state, MemoryLedger ledger, Unloader unloader, PoolEvents events, Settings settings,
                ModelCatalog catalog, Discovery discovery) {
        this.state = state;
        this.ledger = ledger;
        this.unloader = unloader;
        this.events = events;
        this.settings = settings;
        this.catalog = catalog;
        this.discovery = discovery;
    }

    /**
     * The loaded model, starting it when it is not (or waiting for the start under way); null
     * when cancelled while waiting. {@code needs}: what the request needs of a backend, so a start
     * it causes skips backends that lack it.
     */
    RunningModel loaded(Slot slot, Cancellation cancellation, Set<Capability> needs) {
        Slot.Start mine;
        state.lock.lock();
        try {
            while (true) {
                state.ensureOpen(slot);
                if (cancellation.isCancelled()) {
                    return null;
                }
                if (slot.phase == Slot.Phase.LOADED) {
                    return slot.model;
                }
                if (slot.phase == Slot.Phase.UNLOADED) {
                    mine = new Slot.Start();
                    slot.start = mine;
                    slot.phase = Slot.Phase.STARTING;
                    break;
                }
                // Starting (by another request) or unloading: wait for it to end. A start ends
                // well before any acquire timeout matters, since it is bounded by its own timeout.
                Slot.Start theirs = slot.start;
                state.awaitBriefly(slot);
                if (theirs != null && slot.start != theirs && theirs.failure != null) {
                    throw theirs.failure;
                }
            }
        } finally {
            state.lock.unlock();
        }
        return startAs(slot, mine, cancellation, needs);
    }

    /** This request starts the model: resolve, estimate, make room, start. */
    private RunningModel startAs(Slot slot, Slot.Start mine, Cancellation cancellation, Set<Capability> needs) {
        ModelSpec spec;
        long estimate;
        try {
            spec = resolve(slot.id());
            estimate = Estimates.forStart(spec, settings);
            if (!ledger.reserve(slot, estimate, cancellation)) {
                endStart(slot, mine, null);
                return null;
            }
        } catch (RuntimeException e) {
            endStart(slot, mine, shared(e));
            throw e;
        }
        RunningModel model;
        try {
            // No fail-back here: it would start a second copy of the model outside the budget's reservation.
            model = RunningModel.builder().settings(settings).spec(spec).discovery(discovery).failBack(FailBack.OFF)
                    .needs(needs).listener(event -> events.publish(slot.id(), event)).start();
        } catch (RuntimeException e) {
            endStart(slot, mine, shared(e));
            throw e;
        } catch (Error e) {
            endStart(slot, mine, null);
            throw e;
        }
        state.lock.lock();
        try {
            if (!state.closed) {
                slot.phase = Slot.Phase.LOADED;
                slot.model = model;
                slot.start = null;
                state.changed.signalAll();
                LOG.info("model {} loaded on {}, estimated {}", slot.id(), model.info().backendId(), MemoryEstimate.mib(estimate));
                return model;
            }
            slot.phase = Slot.Phase.UNLOADING;
            slot.start = null;
        } finally {
            state.lock.unlock();
        }
        // The pool closed while this model started: it must not outlive the pool.
        unloader.unload(List.of(new Unloader.Victim(slot, model)), s -> "pool closed");
        throw PoolState.closedError(slot);
    }

    /** The failure every request waiting for this start would also meet; an interrupt is this thread's alone. */
    private static RuntimeException shared(RuntimeException e) {
        return e instanceof InterruptedStartException ? null : e;
    }

    private ModelSpec resolve(String id) {
        return org.snowcrash.agent.internal.CatalogSpecs.resolve(catalog, id);
    }

    /** The start ended without a model: free the place, and tell the waiters. */
    private void endStart(Slot slot, Slot.Start start, RuntimeException failure) {
        state.lock.lock();
        try {
            start.failure = failure;
            if (slot.start == start) {
                slot.start = null;
                slot.reset();
            }
            state.changed.signalAll();
        } finally {
            state.lock.unlock();
        }
    }
}
