package org.snowcrash.agent.pool;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.Usage;
import org.snowcrash.models.ModelCatalog;

/**
 * A request's way through the pool: its model's slot, admission (at most the model's in-flight
 * requests, a bounded queue), the one shared start when the model is not loaded, the call, and
 * the release, whatever happens. A cancel wakes the request wherever it waits.
 */
final class PoolRequests {

    private final PoolState state;
    private final ModelCatalog catalog;
    private final Admission admission;
    private final SharedStart starts;

    PoolRequests(PoolState state, ModelCatalog catalog, Admission admission, SharedStart starts) {
        this.state = state;
        this.catalog = catalog;
        this.admission = admission;
        this.starts = starts;
    }

    /**
     * Admission, the model, the call, and the release. {@code needs}: what the request needs of a
     * backend, so a start it causes skips backends that lack it.
     */
    ChatResponse run(String modelId, Cancellation cancellation, Set<Capability> needs, Function<RunningModel, ChatResponse> call) {
        Slot slot = slot(modelId);
        long t0 = System.nanoTime();
        // A cancel must wake this request wherever it waits; the hook takes the pool's lock, briefly.
        cancellation.onCancel(state::wakeAll);
        if (!admission.admit(slot, cancellation)) {
            return cancelled(t0);
        }
        boolean answered = false;
        try {
            RunningModel model = starts.loaded(slot, cancellation, needs);
            if (model == null) {
                return cancelled(t0);
            }
            ChatResponse response = call.apply(model);
            answered = true;
            return response;
        } finally {
            admission.release(slot, answered ? System.nanoTime() - t0 : -1);
        }
    }

    /** Loads the model as a request would, asking it nothing. */
    void load(String modelId) {
        Slot slot = slot(modelId);
        Cancellation never = new Cancellation();
        if (!admission.admit(slot, never)) {
            return;
        }
        try {
            starts.loaded(slot, never, Set.of());
        } finally {
            admission.release(slot, -1);
        }
    }

    /** The model's slot; an id the catalog does not know is an {@code UnknownModelException} listing the known ones. */
    Slot slot(String modelId) {
        Objects.requireNonNull(modelId, "modelId");
        Slot s = state.slots.get(modelId);
        if (s == null) {
            catalog.entry(modelId); // throws UnknownModelException listing the known ids
            throw new IllegalStateException("catalog and pool disagree about " + modelId);
        }
        return s;
    }

    private static ChatResponse cancelled(long t0) {
        return new ChatResponse("", FinishReason.CANCELLED, new Usage(0, 0), Duration.ofNanos(System.nanoTime() - t0));
    }
}
