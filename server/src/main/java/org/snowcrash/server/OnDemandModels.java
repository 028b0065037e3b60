package org.snowcrash.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.agent.InterruptedStartException;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.Settings;
import org.snowcrash.api.TokenSink;
import org.snowcrash.models.CatalogEntry;
import org.snowcrash.models.ModelCatalog;
import org.snowcrash.registry.BackendRegistry;
import org.snowcrash.registry.Discovery;

/**
 * Temporary stand-in for the model pool: one {@link RunningModel} per catalog id, started on
 * first use and kept until {@link #close()}, with a bounded number of requests in flight and
 * waiting per model (beyond that, {@link ChatFailure.Busy}). No memory budget, no keep-alive,
 * no eviction: that is the pool's job, and this class goes when the pool lands.
 *
 * <p>Thread-safe. Callers that find a model unloaded wait for one start together; a start that
 * fails fails them all, and the next request tries again.
 */
final class OnDemandModels implements ModelRouter {

    private static final Logger LOG = LoggerFactory.getLogger(OnDemandModels.class);

    private final Settings settings;
    private final ModelCatalog catalog;
    private final Discovery discovery;
    private final int maxInFlight;
    private final int queueLimit;
    private final ModelEventSink events;
    private final Clock clock;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** One model: its admission counters and, once started, its running model. */
    private final class Slot {
        final CatalogEntry entry;
        final Semaphore running;
        final AtomicInteger waiting = new AtomicInteger();
        volatile RunningModel model;
        volatile PooledModel.State state = PooledModel.State.UNLOADED;
        volatile Instant lastUsed;

        Slot(CatalogEntry entry) {
            this.entry = entry;
            this.running = new Semaphore(maxInFlight, true);
        }

        /** The running model, started by the first caller; the others wait for that start. */
        synchronized RunningModel model() {
            if (closed) {
                throw new ChatException("serve", "model " + entry.id(), new ChatFailure.Closed());
            }
            if (model == null) {
                state = PooledModel.State.STARTING;
                try {
                    model = RunningModel.builder().settings(settings).model(entry.id()).discovery(discovery)
                            .listener(e -> onEvent(this, e)).start();
                    state = PooledModel.State.READY;
                } catch (RuntimeException e) {
                    state = PooledModel.State.UNLOADED;
                    throw e;
                }
            }
            return model;
        }

        PooledModel view() {
            RunningModel m = model;
            return new PooledModel(entry.id(), entry.description(), state,
                    m == null ? Optional.empty() : Optional.of(m.info().backendId()), OptionalLong.empty(),
                    maxInFlight - running.availablePermits(), waiting.get(), Optional.ofNullable(lastUsed));
        }
    }

    /**
     * @param settings    the configuration every model starts with
     * @param discovery   the backends, discovered once; empty to discover from {@code settings}
     * @param maxInFlight requests that may run on one model at once
     * @param queueLimit  requests that may wait for a turn on one model; more are refused as busy
     * @param events      every lifecycle event of every model
     * @param clock       for last-use times
     * @throws org.snowcrash.api.ConfigurationException when the catalog's configuration is wrong
     */
    OnDemandModels(Settings settings, Optional<Discovery> discovery, int maxInFlight, int queueLimit,
                   ModelEventSink events, Clock clock) {
        if (maxInFlight < 1 || queueLimit < 0) {
            throw new IllegalArgumentException("maxInFlight must be at least 1 and queueLimit at least 0");
        }
        this.settings = settings;
        this.catalog = ModelCatalog.from(settings);
        this.discovery = discovery.orElseGet(() -> BackendRegistry.discover(settings));
        this.maxInFlight = maxInFlight;
        this.queueLimit = queueLimit;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public ChatResponse stream(String modelId, ChatRequest request, TokenSink sink, Cancellation cancellation) {
        Slot slot = slot(modelId);
        admit(slot);
        try {
            return slot.model().stream(request, sink, cancellation);
        } finally {
            slot.lastUsed = clock.instant();
            slot.running.release();
        }
    }

    /** Takes a turn on the model, waiting in its queue when every turn is taken, or refuses. */
    private void admit(Slot slot) {
        if (slot.running.tryAcquire()) {
            return;
        }
        if (slot.waiting.incrementAndGet() > queueLimit) {
            slot.waiting.decrementAndGet();
            throw new ChatException("serve", "model " + slot.entry.id(),
                    new ChatFailure.Busy(slot.entry.id(), maxInFlight, queueLimit, Duration.ofSeconds(1)));
        }
        try {
            slot.running.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedStartException(slot.entry.id(), e);
        } finally {
            slot.waiting.decrementAndGet();
        }
    }

    private Slot slot(String modelId) {
        CatalogEntry entry = catalog.entry(modelId); // UnknownModelException names the known ones
        return slots.computeIfAbsent(entry.id(), id -> new Slot(entry));
    }

    private void onEvent(Slot slot, LifecycleEvent e) {
        if (e instanceof LifecycleEvent.Degraded) {
            slot.state = PooledModel.State.DEGRADED;
        } else if (e instanceof LifecycleEvent.Starting && slot.model != null) {
            slot.state = PooledModel.State.STARTING; // a restart after a death
        } else if (e instanceof LifecycleEvent.ServedBy && slot.model != null) {
            slot.state = PooledModel.State.READY;
        }
        try {
            events.publish(slot.entry.id(), e);
        } catch (RuntimeException ex) {
            LOG.warn("event listener failed on {}: {}", e.getClass().getSimpleName(), ex.toString());
        }
    }

    @Override
    public List<PooledModel> models() {
        List<PooledModel> out = new ArrayList<>();
        for (CatalogEntry e : catalog.entries()) {
            Slot s = slots.get(e.id());
            out.add(s != null ? s.view() : new PooledModel(e.id(), e.description(), PooledModel.State.UNLOADED,
                    Optional.empty(), OptionalLong.empty(), 0, 0, Optional.empty()));
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
        // Closed in parallel: each Docker model's removal has its own bound, and they add up otherwise.
        List<Thread> closers = new ArrayList<>();
        for (Slot s : slots.values()) {
            RunningModel m = s.model;
            if (m != null) {
                Thread t = new Thread(() -> {
                    m.close();
                    s.state = PooledModel.State.UNLOADED;
                }, "snowcrash-close-" + s.entry.id());
                closers.add(t);
                t.start();
            }
        }
        for (Thread t : closers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
