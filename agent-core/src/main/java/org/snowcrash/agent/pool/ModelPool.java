package org.snowcrash.agent.pool;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.Optional;

import org.snowcrash.agent.InterruptedStartException;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.EventSink;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.Settings;
import org.snowcrash.api.TokenSink;
import org.snowcrash.models.CatalogEntry;
import org.snowcrash.models.MemoryEstimate;
import org.snowcrash.models.ModelCatalog;
import org.snowcrash.registry.BackendRegistry;
import org.snowcrash.registry.Configuration;
import org.snowcrash.registry.Discovery;

/**
 * Many catalog models behind one object, for many clients: a model starts on its first request,
 * stays for its keep-alive, and is unloaded when idle or when another needs its memory. The full
 * guide, with every key, is docs/pool.md.
 *
 * <pre>{@code
 * try (ModelPool pool = ModelPool.builder().settings(settings).listener(viewer::show).build()) {
 *     ChatResponse r = pool.stream("phi-3", request, piece -> out.print(piece), new Cancellation());
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>Start on first use</b>, once: requests that arrive while a model starts share that start
 *       and its outcome (a {@link RunningModel}: fallback over the backends, recovery, events).</li>
 *   <li><b>Memory budget</b> ({@code snowcrash.memory.budget}, default none): each model's estimate
 *       (GGUF header, context, batch) is reserved before it starts; the fewest least-recently-used
 *       idle models are evicted to make room; otherwise the request waits up to
 *       {@code snowcrash.pool.acquire-timeout} (30 s), then fails with {@link PoolFailure.OverBudget}.
 *       A model with a request in flight is never evicted.</li>
 *   <li><b>Keep-alive</b> ({@code model.<id>.keep-alive}, default 5 minutes; {@code 0} after each
 *       request; negative never), read from the builder's {@link Clock}.</li>
 *   <li><b>Admission</b>: {@code model.<id>.max-in-flight} (its server slots) at once, {@code model.<id>.queue}
 *       (16) waiting, the rest {@link PoolFailure.Busy} (a server answers 429 with
 *       {@code Retry-After}).</li>
 *   <li><b>Pinned and preloaded models</b> ({@code model.<id>.pinned}, {@link Builder#pin},
 *       {@code snowcrash.pool.preload}, {@link Builder#preload}) load in {@link Builder#build()},
 *       pinned first; pinned ones are never unloaded before {@link #close()}, and pinned models
 *       that together exceed the budget are refused there with a
 *       {@link org.snowcrash.api.ConfigurationException}.</li>
 *   <li><b>Events</b>: every model's {@link LifecycleEvent}s reach the builder's listeners, and
 *       {@link LifecycleEvent.Unloaded} with the reason after each unload.</li>
 * </ul>
 *
 * <p><b>Failures.</b> {@link org.snowcrash.models.UnknownModelException} for an id the catalog does
 * not know; the start's own exceptions ({@link org.snowcrash.agent.InvalidModelException},
 * {@link org.snowcrash.agent.NoBackendStartedException}, ...), also for every request that waited
 * for that start; {@link ChatException} with {@link PoolFailure.Busy}, {@link PoolFailure.OverBudget}
 * or {@link ChatFailure.Closed} from the pool, or the model's own failures;
 * {@link org.snowcrash.agent.InterruptedStartException} when the waiting thread is interrupted. A
 * {@link Cancellation} also ends a wait: the request then ends with {@link FinishReason#CANCELLED}.
 *
 * <p><b>Threads.</b> Thread-safe. One lock guards the pool's bookkeeping, and nothing that may
 * block or call back runs while it is held (no {@link RunningModel} method, backend or listener),
 * so a {@code RunningModel}'s own locks always come before the pool's. Listeners run on the
 * working thread (the one starting, unloading, or the timer's); the contract is
 * {@link RunningModel}'s: quick, never throwing, never calling back into the pool synchronously.
 */
public final class ModelPool implements AutoCloseable {

    private final ModelCatalog catalog;
    private final PoolConfig config;
    private final PoolState state;
    private final Estimates estimates = new Estimates();
    private final PoolListing listing;
    private final Unloader unloader;
    private final IdleReaper reaper;
    private final PoolRequests requests;

    private ModelPool(Builder b, Settings settings, ModelCatalog catalog, Discovery discovery, PoolConfig config) {
        this.catalog = catalog;
        this.config = config;
        Map<String, Slot> m = new LinkedHashMap<>();
        for (CatalogEntry e : catalog.entries()) {
            m.put(e.id(), new Slot(e, config.limits().get(e.id())));
        }
        this.state = new PoolState(m, b.clock);
        PoolEvents events = new PoolEvents(b.listeners, b.modelListeners);
        this.unloader = new Unloader(state, events);
        this.listing = new PoolListing(state, catalog, estimates);
        this.reaper = new IdleReaper(state, unloader);
        this.requests = new PoolRequests(state, catalog, new Admission(state, reaper, config.acquireTimeout()),
                new SharedStart(state, new MemoryLedger(state, config, unloader, events), unloader, events, settings, catalog,
                        discovery));
    }

    /** A builder; nothing is discovered or started until {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Answers a request on model {@code modelId} and returns the whole response, starting the
     * model first when it is not loaded (evicting idle models to stay within the budget). Blocks
     * until done.
     *
     * @throws org.snowcrash.models.UnknownModelException for an id the catalog does not know
     * @throws ChatException as the class comment says ({@link PoolFailure.Busy}, {@link PoolFailure.OverBudget}, ...)
     */
    public ChatResponse chat(String modelId, ChatRequest request) {
        Objects.requireNonNull(request, "request");
        return requests.run(modelId, new Cancellation(), request.requiredCapabilities(), model -> model.chat(request));
    }

    /**
     * Answers a request on model {@code modelId}, handing text to {@code sink} on the calling
     * thread as it is generated, and returns the whole response; starts the model first when it
     * is not loaded. Blocks until done. {@link Cancellation#cancel()} from any thread ends this
     * request only (freeing its server slot) with {@link FinishReason#CANCELLED}, also while it
     * still waits.
     *
     * @throws org.snowcrash.models.UnknownModelException for an id the catalog does not know
     * @throws ChatException as {@link #chat}, or {@link ChatFailure.SinkFailed} when {@code sink} threw
     */
    public ChatResponse stream(String modelId, ChatRequest request, TokenSink sink, Cancellation cancellation) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(cancellation, "cancellation");
        return requests.run(modelId, cancellation, request.requiredCapabilities(), model -> model.stream(request, sink, cancellation));
    }

    /**
     * Loads model {@code modelId} now, as a request would (within the budget, evicting idle
     * models that are not pinned), without asking it anything; returns when it is loaded. Its
     * keep-alive starts now unless it is pinned. Blocks while it starts.
     *
     * @throws org.snowcrash.models.UnknownModelException for an id the catalog does not know
     * @throws ChatException with {@link PoolFailure.OverBudget}, {@link PoolFailure.Busy} or {@link ChatFailure.Closed}
     */
    public void load(String modelId) {
        requests.load(modelId);
    }

    /**
     * Every catalog model with its state now, in catalog order. Never blocks on a start or a
     * request; may read model files' headers (once per file version) for their estimates.
     */
    public List<PooledModel> models() {
        return listing.models();
    }

    /**
     * The backend serving {@code modelId} now, as {@link #models()} lists it, without listing the
     * others: no file is read, so a request may ask on its way to the first token.
     *
     * @throws org.snowcrash.models.UnknownModelException for an id the catalog does not know
     */
    public Optional<String> servingBackend(String modelId) {
        Slot slot = requests.slot(modelId);
        RunningModel model;
        state.lock.lock();
        try {
            model = slot.model;
        } finally {
            state.lock.unlock();
        }
        return Optional.ofNullable(model).map(m -> m.info().backendId());
    }

    /**
     * Unloads every loaded model (containers removed), publishing {@link LifecycleEvent.Stopped}
     * and {@link LifecycleEvent.Unloaded} ({@code pool closed}) for each, and waits for unloads
     * already under way. Requests in flight end or fail as their model closes; waiting and later
     * requests fail with {@link ChatFailure.Closed}. A model still starting is not waited for: it
     * is closed as soon as its start ends. Idempotent; never throws.
     */
    @Override
    public void close() {
        unloader.closeAll(reaper);
    }

    /**
     * Unloads every idle model whose keep-alive has run out by the clock. The pool's timer calls
     * this when a keep-alive may have ended; tests call it after moving a manual clock. Blocks
     * while the models close.
     */
    void expireIdle() {
        reaper.expireIdle();
    }

    @Override
    public String toString() {
        return "ModelPool[budget=" + (config.budget().isPresent() ? MemoryEstimate.mib(config.budget().getAsLong()) : "none")
                + ", budget from " + config.budgetSource()
                + ", models=" + state.slots.keySet() + "]";
    }

    /**
     * Hears every event of every model with the id of the model it belongs to, for a front end
     * that shows many models (a server's event stream, per-model metrics): {@link
     * LifecycleEvent.Skipped} and {@link LifecycleEvent.Fallback} carry no model id of their own.
     * The contract is {@link EventSink}'s and {@link RunningModel}'s: called on the working thread,
     * quick, never throwing, never calling back into the pool synchronously.
     */
    @FunctionalInterface
    public interface ModelListener {
        /** One event of model {@code modelId}. */
        void publish(String modelId, LifecycleEvent event);
    }

    /**
     * How to build a pool: the options {@link RunningModel.Builder} has, for every model. Not
     * thread-safe; each {@link #build()} makes a pool of its own.
     */
    public static final class Builder {
        private Settings settings;
        private Discovery discovery;
        private String backendId;
        private Clock clock = Clock.systemUTC();
        private final java.util.Set<String> pinned = new java.util.LinkedHashSet<>();
        private final List<String> preload = new ArrayList<>();
        private final List<EventSink> listeners = new ArrayList<>();
        private final List<ModelListener> modelListeners = new ArrayList<>();

        private Builder() {
        }

        /** The configuration; default: {@link Configuration#processDefault()} (loaded once per process, shared). */
        public Builder settings(Settings s) { this.settings = Objects.requireNonNull(s); return this; }

        /** Use these discovered backends for every model instead of discovering (tests, embedding). */
        public Builder discovery(Discovery d) { this.discovery = Objects.requireNonNull(d); return this; }

        /** Force one backend by id for every model (tried even when disabled in configuration). */
        public Builder backend(String id) { this.backendId = Objects.requireNonNull(id); return this; }

        /** A listener for every event of every model, and for {@link LifecycleEvent.Unloaded}; see the class comment. */
        public Builder listener(EventSink l) { this.listeners.add(Objects.requireNonNull(l)); return this; }

        /** A listener that also hears which model each event belongs to; see {@link ModelListener}. */
        public Builder modelListener(ModelListener l) { this.modelListeners.add(Objects.requireNonNull(l)); return this; }

        /** The clock keep-alive and last use are read from; default the system's. */
        public Builder clock(Clock c) { this.clock = Objects.requireNonNull(c); return this; }

        /** Pins these catalog models, as {@code model.<id>.pinned=true} does (see the class comment). */
        public Builder pin(String... ids) { pinned.addAll(List.of(ids)); return this; }

        /** Loads these catalog models in {@link #build()}, after the pinned ones, as {@code snowcrash.pool.preload} does. */
        public Builder preload(String... ids) { preload.addAll(List.of(ids)); return this; }

        /**
         * Reads the configuration and the catalog and discovers the backends (once, for every
         * model), then loads the pinned models and the preloaded ones, in that order, before
         * returning (listeners hear their events). Starts nothing else.
         *
         * @throws org.snowcrash.api.ConfigurationException naming every bad value, and when the
         *         pinned models' estimates together exceed the budget
         * @throws org.snowcrash.registry.UnknownBackendException when {@link #backend} names no discovered backend
         * @throws RuntimeException what a pinned or preloaded model's start threw (the pool is closed then)
         */
        public ModelPool build() {
            Settings s = settings != null ? settings : Configuration.processDefault();
            Discovery d = discovery != null ? discovery : BackendRegistry.discover(s);
            ModelCatalog catalog = ModelCatalog.from(s, d.modelSettings());
            PoolConfig config = PoolConfig.read(s, catalog, pinned, preload);
            ModelPool pool = new ModelPool(this, s, catalog, backendId != null ? d.select(backendId) : d, config);
            try {
                Pinning.checkBudget(config, catalog, pool.estimates);
                for (String id : config.loadAtStart()) {
                    pool.load(id);
                }
            } catch (RuntimeException | Error e) {
                pool.close();
                throw e;
            }
            return pool;
        }
    }
}
