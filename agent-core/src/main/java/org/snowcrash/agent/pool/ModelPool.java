package org.snowcrash.agent.pool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.agent.FailBack;
import org.snowcrash.agent.InterruptedStartException;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.EventSink;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.Usage;
import org.snowcrash.models.CatalogEntry;
import org.snowcrash.models.MemoryEstimate;
import org.snowcrash.models.ModelCatalog;
import org.snowcrash.registry.BackendRegistry;
import org.snowcrash.registry.Configuration;
import org.snowcrash.registry.Discovery;

/**
 * Many catalog models behind one object, for many clients: a model starts on its first request,
 * stays for its keep-alive, and is unloaded when idle or when another needs its memory.
 *
 * <pre>{@code
 * try (ModelPool pool = ModelPool.builder().settings(settings).listener(viewer::show).build()) {
 *     ChatResponse r = pool.stream("phi-3", request, piece -> out.print(piece), new Cancellation());
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>Start on first use.</b> A request for a model that is not loaded starts it through a
 *       {@link RunningModel} (fallback over the backends, recovery after a backend dies, events),
 *       built from the catalog's resolved spec ({@code gpu-layers=auto} already planned). Requests
 *       that arrive while it starts wait for that one start and share its outcome.</li>
 *   <li><b>Memory budget.</b> Each model's memory is estimated from its GGUF header, context and
 *       batch size ({@link org.snowcrash.models.MemoryEstimator}). Before a start, the estimates of
 *       the loaded, starting and unloading models plus the new one must fit
 *       {@code snowcrash.memory.budget} (default: no limit); the new model's estimate is reserved
 *       under the pool's lock, so two starts never both pass the check. When it does not fit, the
 *       fewest least-recently-used <em>idle</em> models whose memory makes room are unloaded first;
 *       a model with a request in flight is never unloaded for memory. When idle models do not
 *       free enough, the request waits up to {@code snowcrash.pool.acquire-timeout} (default 30 s)
 *       for requests to end, then fails with {@link ChatFailure.OverBudget} naming the budget,
 *       the estimate and the models holding memory. A model whose estimate alone exceeds the
 *       budget fails at once.</li>
 *   <li><b>Keep-alive.</b> {@code model.<id>.keep-alive} (default {@code snowcrash.pool.keep-alive},
 *       else 5 minutes) after its last request ends an idle model is unloaded; {@code 0} unloads it
 *       as soon as no request is in flight; a negative value never unloads it for idleness (it
 *       can still be evicted for memory). Time is read from the builder's {@link Clock}; a timer
 *       thread only decides when to look.</li>
 *   <li><b>Admission.</b> At most {@code model.<id>.max-in-flight} (default 4, llama-server's own
 *       slot count) requests per model at once, counting those waiting for its start; up to
 *       {@code model.<id>.queue} (default 16) more wait first come first served, each at most the
 *       acquire timeout. Beyond that, or after that wait, a request fails at once with
 *       {@link ChatFailure.Busy} (a server answers 429 with {@code Retry-After}).</li>
 *   <li><b>Pinned and preloaded models.</b> A model with {@code model.<id>.pinned=true} (or
 *       {@link Builder#pin}) is loaded by {@link Builder#build()} before it returns, first of all
 *       (so the budget accounts for it before any other), and is never unloaded for idleness nor
 *       evicted for memory; only {@link #close()} unloads it. Pinned models whose estimates
 *       together exceed the budget are refused by {@code build()} with a
 *       {@link org.snowcrash.api.ConfigurationException}. {@code snowcrash.pool.preload} (ids
 *       separated by commas) and {@link Builder#preload} load more models in {@code build()},
 *       after the pinned ones; those then follow their keep-alive like any other.</li>
 *   <li><b>Events.</b> Every {@link LifecycleEvent} of every model goes to the builder's
 *       listeners, and {@link LifecycleEvent.Unloaded} with the reason after each unload.</li>
 * </ul>
 *
 * <p><b>Failures.</b> {@link org.snowcrash.models.UnknownModelException} for an id the catalog does
 * not know; the start's own exceptions ({@link org.snowcrash.agent.InvalidModelException},
 * {@link org.snowcrash.agent.NoBackendStartedException}, ...) for a model that cannot start, also
 * for every request that waited for that start; {@link ChatException} for a request that failed,
 * with {@link ChatFailure.Busy}, {@link ChatFailure.OverBudget} or {@link ChatFailure.Closed}
 * from the pool itself, or the model's own failures; {@link InterruptedStartException} when the
 * calling thread is interrupted while it waits. A {@link Cancellation} also ends a wait (in the
 * queue, for memory, for a start): the request then ends with {@link FinishReason#CANCELLED}.
 *
 * <p><b>Threads.</b> Thread-safe: every method may be called from any thread. One lock guards
 * the pool's bookkeeping, and nothing that may block or call back is called while it is held:
 * no {@link RunningModel} method, no backend, no listener (only the clock, the timer's queue and
 * the lock's own condition). So the lock order is simply: a {@code RunningModel}'s own locks (held
 * while it publishes events to the pool) before the pool's lock, never the other way round;
 * listeners run on the working thread (the one starting, unloading, or the timer's) without
 * the pool's lock. The listener contract is {@link RunningModel}'s: quick, never throwing, never
 * calling back into the pool synchronously.
 */
public final class ModelPool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelPool.class);
    /** The backend id the pool's own failures carry: no backend was asked. */
    static final String POOL = "pool";

    private final Settings settings;
    private final ModelCatalog catalog;
    private final Discovery discovery;
    private final PoolConfig config;
    private final Clock clock;
    private final List<EventSink> listeners;
    private final List<ModelListener> modelListeners;
    /** Every catalog model, in catalog order; the map itself never changes. */
    private final Map<String, Slot> slots;
    private final Estimates estimates = new Estimates();
    private final ScheduledThreadPoolExecutor timer;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled on every change a waiting request may be waiting for. */
    private final Condition changed = lock.newCondition();
    private boolean closed;

    /** A model being unloaded, with the session that serves it. */
    private record Victim(Slot slot, RunningModel model) {
    }

    private ModelPool(Builder b, Settings settings, ModelCatalog catalog, Discovery discovery, PoolConfig config) {
        this.settings = settings;
        this.catalog = catalog;
        this.discovery = discovery;
        this.config = config;
        this.clock = b.clock;
        this.listeners = new CopyOnWriteArrayList<>(b.listeners);
        this.modelListeners = new CopyOnWriteArrayList<>(b.modelListeners);
        Map<String, Slot> m = new LinkedHashMap<>();
        for (CatalogEntry e : catalog.entries()) {
            m.put(e.id(), new Slot(e, config.limits().get(e.id())));
        }
        this.slots = Collections.unmodifiableMap(m);
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "snowcrash-pool-keep-alive");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
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
     * @throws ChatException as the class comment says ({@link ChatFailure.Busy}, {@link ChatFailure.OverBudget}, ...)
     */
    public ChatResponse chat(String modelId, ChatRequest request) {
        Objects.requireNonNull(request, "request");
        return run(modelId, new Cancellation(), request.requiredCapabilities(), model -> model.chat(request));
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
        return run(modelId, cancellation, request.requiredCapabilities(), model -> model.stream(request, sink, cancellation));
    }

    /**
     * Loads model {@code modelId} now, as a request would (within the budget, evicting idle
     * models that are not pinned), without asking it anything; returns when it is loaded. Its
     * keep-alive starts now unless it is pinned. Blocks while it starts.
     *
     * @throws org.snowcrash.models.UnknownModelException for an id the catalog does not know
     * @throws ChatException with {@link ChatFailure.OverBudget}, {@link ChatFailure.Busy} or {@link ChatFailure.Closed}
     */
    public void load(String modelId) {
        Slot slot = slot(modelId);
        Cancellation never = new Cancellation();
        if (!admit(slot, never)) {
            return;
        }
        try {
            loaded(slot, never, Set.of());
        } finally {
            release(slot, -1);
        }
    }

    /**
     * Every catalog model with its state now, in catalog order. Never blocks on a start or a
     * request; may read model files' headers (once per file version) for their estimates.
     */
    public List<PooledModel> models() {
        record Seen(Slot slot, PooledModel.State state, Optional<String> backend, OptionalLong estimate,
                    int inFlight, int queued, Optional<Instant> lastUsed, Optional<Instant> expiresAt) {
        }
        List<Seen> seen = new ArrayList<>();
        lock.lock();
        try {
            for (Slot s : slots.values()) {
                PooledModel.State state = switch (s.phase) {
                    case UNLOADED -> PooledModel.State.UNLOADED;
                    case STARTING -> PooledModel.State.STARTING;
                    case LOADED -> s.degraded ? PooledModel.State.DEGRADED : PooledModel.State.READY;
                    case UNLOADING -> PooledModel.State.UNLOADING;
                };
                seen.add(new Seen(s, state, Optional.ofNullable(s.backendId),
                        s.reserved ? OptionalLong.of(s.estimate) : OptionalLong.empty(), s.inFlight, s.queue.size(),
                        Optional.ofNullable(s.lastUsed), s.idle() ? Optional.ofNullable(s.expiresAt) : Optional.empty()));
            }
        } finally {
            lock.unlock();
        }
        List<PooledModel> out = new ArrayList<>();
        for (Seen x : seen) {
            CatalogEntry e = x.slot().entry;
            OptionalLong estimate = x.estimate().isPresent() ? x.estimate() : peekEstimate(e);
            out.add(new PooledModel(e.id(), e.description(), x.state(), x.backend(), estimate, x.inFlight(),
                    x.queued(), x.lastUsed(), x.expiresAt(), fileMissing(e), ModelCatalog.suggestedSystemPrompt(e)));
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

    /**
     * Unloads every loaded model (containers removed), publishing {@link LifecycleEvent.Stopped}
     * and {@link LifecycleEvent.Unloaded} ({@code pool closed}) for each, and waits for unloads
     * already under way. Requests in flight end or fail as their model closes; waiting and later
     * requests fail with {@link ChatFailure.Closed}. A model still starting is not waited for: it
     * is closed as soon as its start ends. Idempotent; never throws.
     */
    @Override
    public void close() {
        List<Victim> loaded = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Slot s : slots.values()) {
                s.cancelTimer();
                if (s.phase == Slot.Phase.LOADED) {
                    s.phase = Slot.Phase.UNLOADING;
                    loaded.add(new Victim(s, s.model));
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        // Not shutdownNow: an interrupt could cut short a container's removal on the timer's thread.
        timer.shutdown();
        unload(loaded, s -> "pool closed");
        lock.lock();
        try {
            while (slots.values().stream().anyMatch(s -> s.phase == Slot.Phase.UNLOADING)) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Unloads every idle model whose keep-alive has run out by the clock. The pool's timer calls
     * this when a keep-alive may have ended; tests call it after moving a manual clock. Blocks
     * while the models close.
     */
    void expireIdle() {
        List<Victim> due = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            Instant now = clock.instant();
            for (Slot s : slots.values()) {
                if (s.idle() && s.expiresAt != null && !now.isBefore(s.expiresAt)) {
                    s.phase = Slot.Phase.UNLOADING;
                    s.cancelTimer();
                    due.add(new Victim(s, s.model));
                }
            }
        } finally {
            lock.unlock();
        }
        unload(due, s -> s.limits.keepAlive().afterEachRequest() ? "keep-alive 0: unloaded after its last request"
                : "keep-alive expired: idle for " + KeepAlive.human(s.limits.keepAlive().duration()));
    }

    /**
     * Admission, the model, the call, and the release, whatever happens. {@code needs}: what the
     * request needs of a backend, so a start it causes skips backends that lack it.
     */
    private ChatResponse run(String modelId, Cancellation cancellation, Set<Capability> needs,
                             Function<RunningModel, ChatResponse> call) {
        Slot slot = slot(modelId);
        long t0 = System.nanoTime();
        // A cancel must wake this request wherever it waits; the hook takes the pool's lock, briefly.
        cancellation.onCancel(this::wakeAll);
        if (!admit(slot, cancellation)) {
            return cancelled(t0);
        }
        boolean answered = false;
        try {
            RunningModel model = loaded(slot, cancellation, needs);
            if (model == null) {
                return cancelled(t0);
            }
            ChatResponse response = call.apply(model);
            answered = true;
            return response;
        } finally {
            release(slot, answered ? System.nanoTime() - t0 : -1);
        }
    }

    private Slot slot(String modelId) {
        Objects.requireNonNull(modelId, "modelId");
        Slot s = slots.get(modelId);
        if (s == null) {
            catalog.entry(modelId); // throws UnknownModelException listing the known ids
            throw new IllegalStateException("catalog and pool disagree about " + modelId);
        }
        return s;
    }

    /** Takes a place among the model's requests in flight, queueing if need be; false when cancelled while queued. */
    private boolean admit(Slot slot, Cancellation cancellation) {
        lock.lock();
        try {
            ensureOpen(slot);
            if (slot.queue.isEmpty() && slot.inFlight < slot.limits.maxInFlight()) {
                enter(slot);
                return true;
            }
            if (slot.queue.size() >= slot.limits.queue()) {
                throw busy(slot);
            }
            Object ticket = new Object();
            slot.queue.addLast(ticket);
            long deadline = System.nanoTime() + config.acquireTimeout().toNanos();
            try {
                while (true) {
                    ensureOpen(slot);
                    if (cancellation.isCancelled()) {
                        return false;
                    }
                    if (slot.queue.peekFirst() == ticket && slot.inFlight < slot.limits.maxInFlight()) {
                        slot.queue.removeFirst();
                        enter(slot);
                        return true;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw busy(slot);
                    }
                    awaitNanos(slot, left);
                }
            } finally {
                if (slot.queue.remove(ticket)) {
                    changed.signalAll(); // the next in line may be first now
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Called with the lock held. */
    private void enter(Slot slot) {
        slot.inFlight++;
        slot.lastUsed = clock.instant();
        slot.expiresAt = null;
        slot.cancelTimer();
    }

    /** Ends a request: the model may become idle, and its keep-alive starts. */
    private void release(Slot slot, long tookNanos) {
        lock.lock();
        try {
            slot.inFlight--;
            Instant now = clock.instant();
            slot.lastUsed = now;
            if (tookNanos >= 0) {
                slot.averageNanos = slot.averageNanos == 0 ? tookNanos : (3 * slot.averageNanos + tookNanos) / 4;
            }
            if (slot.idle() && !closed) {
                scheduleExpiry(slot, now);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Called with the lock held, when the model has just become idle. */
    private void scheduleExpiry(Slot slot, Instant now) {
        KeepAlive keepAlive = slot.limits.keepAlive();
        // A pinned model has no keep-alive: it stays until the pool closes.
        slot.expiresAt = slot.limits.pinned() ? null : keepAlive.expiry(now).orElse(null);
        slot.cancelTimer();
        if (slot.expiresAt == null) {
            return;
        }
        try {
            long delay = Math.max(0, keepAlive.duration().toMillis());
            slot.timer = timer.schedule(this::expireIdle, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closing: nothing is to expire any more.
        } catch (ArithmeticException e) {
            // A keep-alive beyond 292 million years: no timer, as good as never.
        }
    }

    /**
     * The loaded model, starting it when it is not (or waiting for the start under way); null
     * when cancelled while waiting.
     */
    private RunningModel loaded(Slot slot, Cancellation cancellation, Set<Capability> needs) {
        Slot.Start mine;
        lock.lock();
        try {
            while (true) {
                ensureOpen(slot);
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
                awaitNanos(slot, TimeUnit.SECONDS.toNanos(1));
                if (theirs != null && slot.start != theirs && theirs.failure != null) {
                    throw theirs.failure;
                }
            }
        } finally {
            lock.unlock();
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
            if (!reserve(slot, estimate, cancellation)) {
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
                    .needs(needs).listener(event -> onModelEvent(slot, event)).start();
        } catch (RuntimeException e) {
            endStart(slot, mine, shared(e));
            throw e;
        } catch (Error e) {
            endStart(slot, mine, null);
            throw e;
        }
        lock.lock();
        try {
            if (!closed) {
                slot.phase = Slot.Phase.LOADED;
                slot.model = model;
                slot.start = null;
                slot.backendId = model.info().backendId();
                changed.signalAll();
                LOG.info("model {} loaded on {}, estimated {}", slot.id(), slot.backendId, MemoryEstimate.mib(estimate));
                return model;
            }
            slot.phase = Slot.Phase.UNLOADING;
            slot.start = null;
        } finally {
            lock.unlock();
        }
        // The pool closed while this model started: it must not outlive the pool.
        unload(List.of(new Victim(slot, model)), s -> "pool closed");
        throw closedError(slot);
    }

    /** The failure every request waiting for this start would also meet; an interrupt is this thread's alone. */
    private static RuntimeException shared(RuntimeException e) {
        return e instanceof InterruptedStartException ? null : e;
    }

    private ModelSpec resolve(String id) {
        try {
            return catalog.spec(id);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo model: " + e.getMessage(), e);
        }
    }

    /** The start ended without a model: free the place, and tell the waiters. */
    private void endStart(Slot slot, Slot.Start start, RuntimeException failure) {
        lock.lock();
        try {
            start.failure = failure;
            if (slot.start == start) {
                slot.start = null;
                slot.reset();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reserves {@code estimate} bytes for {@code slot}, evicting idle models when that makes room
     * and waiting up to the acquire timeout when it does not; false when cancelled while waiting.
     *
     * @throws ChatException with {@link ChatFailure.OverBudget} when the time is up or the model alone is too large
     */
    private boolean reserve(Slot slot, long estimate, Cancellation cancellation) {
        long deadline = System.nanoTime() + config.acquireTimeout().toNanos();
        boolean announced = false;
        while (true) {
            List<Victim> victims = new ArrayList<>();
            String waiting = null;
            lock.lock();
            try {
                while (true) {
                    ensureOpen(slot);
                    if (cancellation.isCancelled()) {
                        return false;
                    }
                    long held = held();
                    if (config.budget().isEmpty() || held + estimate <= config.budget().getAsLong()) {
                        slot.reserved = true;
                        slot.estimate = estimate;
                        return true;
                    }
                    long budget = config.budget().getAsLong();
                    if (estimate > budget) {
                        throw overBudget(slot, estimate, Duration.ZERO);
                    }
                    Optional<List<Slot>> chosen = Evictions.choose(budget, held, estimate, slots.values());
                    if (chosen.isPresent()) {
                        for (Slot v : chosen.get()) {
                            v.phase = Slot.Phase.UNLOADING;
                            v.cancelTimer();
                            victims.add(new Victim(v, v.model));
                        }
                        break;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw overBudget(slot, estimate, config.acquireTimeout());
                    }
                    if (!announced) {
                        // Said once, outside the lock (listeners never run under it), then wait.
                        waiting = "waiting up to " + KeepAlive.human(config.acquireTimeout()) + " for memory: "
                                + MemoryEstimate.mib(estimate) + " needed, " + MemoryEstimate.mib(budget - held)
                                + " of the budget " + MemoryEstimate.mib(budget) + " free, and too few idle models to make room";
                        break;
                    }
                    awaitNanos(slot, left);
                }
            } finally {
                lock.unlock();
            }
            if (waiting != null) {
                announced = true;
                publish(slot.id(), new LifecycleEvent.Progress(POOL, slot.id(), waiting));
                continue;
            }
            String why = "evicted for memory: making room for '" + slot.id() + "' (budget "
                    + MemoryEstimate.mib(config.budget().getAsLong()) + ")";
            unload(victims, x -> why);
        }
    }

    /** Called with the lock held: the estimates of every model holding memory. */
    private long held() {
        long sum = 0;
        for (Slot s : slots.values()) {
            if (s.reserved) {
                sum += s.estimate;
            }
        }
        return sum;
    }

    /**
     * Closes each model (its container removed), frees its memory and publishes
     * {@link LifecycleEvent.Unloaded}. Called without the lock, for slots this thread marked
     * {@link Slot.Phase#UNLOADING}.
     */
    private void unload(List<Victim> victims, Function<Slot, String> reason) {
        for (Victim v : victims) {
            String backend = v.model().info().backendId();
            try {
                v.model().close();
            } catch (RuntimeException e) {
                LOG.warn("closing model {} failed: {}", v.slot().id(), e.toString());
            }
            String why = reason.apply(v.slot());
            lock.lock();
            try {
                v.slot().reset();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            LOG.info("model {} unloaded from {}: {}", v.slot().id(), backend, why);
            publish(v.slot().id(), new LifecycleEvent.Unloaded(backend, v.slot().id(), why));
        }
    }

    /** A model's own event: track its health, then pass it on. Runs without the pool's lock. */
    private void onModelEvent(Slot slot, LifecycleEvent event) {
        if (event instanceof LifecycleEvent.Degraded) {
            slot.degraded = true;
        } else if (event instanceof LifecycleEvent.ServedBy s) {
            slot.degraded = false;
            slot.backendId = s.backendId();
        }
        publish(slot.id(), event);
    }

    private void publish(String modelId, LifecycleEvent event) {
        for (EventSink l : listeners) {
            try {
                l.publish(event);
            } catch (RuntimeException e) {
                LOG.warn("listener failed on {}: {}", event.getClass().getSimpleName(), e.toString());
            }
        }
        for (ModelListener l : modelListeners) {
            try {
                l.publish(modelId, event);
            } catch (RuntimeException e) {
                LOG.warn("listener failed on {}: {}", event.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private void wakeAll() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Called with the lock held. */
    private void awaitNanos(Slot slot, long nanos) {
        try {
            changed.awaitNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedStartException(slot.id(), e);
        }
    }

    /** Called with the lock held. */
    private void ensureOpen(Slot slot) {
        if (closed) {
            throw closedError(slot);
        }
    }

    private static ChatException closedError(Slot slot) {
        return new ChatException(POOL, "model '" + slot.id() + "'", new ChatFailure.Closed());
    }

    /** Called with the lock held. */
    private ChatException busy(Slot slot) {
        // A guess for Retry-After: the waves of requests ahead, at the model's usual pace.
        double waves = (slot.queue.size() + 1.0) / slot.limits.maxInFlight();
        long seconds = (long) Math.ceil(slot.averageNanos * waves / 1e9);
        Duration retry = Duration.ofSeconds(Math.min(60, Math.max(1, seconds)));
        return new ChatException(POOL, "model '" + slot.id() + "'",
                new ChatFailure.Busy(slot.id(), slot.limits.maxInFlight(), slot.limits.queue(), retry));
    }

    /** Called with the lock held. */
    private ChatException overBudget(Slot slot, long estimate, Duration waited) {
        List<String> holding = slots.values().stream().filter(s -> s.reserved && s != slot)
                .sorted(Comparator.comparing((Slot s) -> s.lastUsed, Comparator.nullsFirst(Comparator.<Instant>naturalOrder())))
                .map(Slot::id).toList();
        String where = "model '" + slot.id() + "'" + (waited.isZero() ? "" : ", after waiting " + KeepAlive.human(waited) + " for memory");
        return new ChatException(POOL, where, new ChatFailure.OverBudget(config.budget().getAsLong(), estimate, holding));
    }

    private ChatResponse cancelled(long t0) {
        return new ChatResponse("", FinishReason.CANCELLED, new Usage(0, 0), Duration.ofNanos(System.nanoTime() - t0));
    }

    private OptionalLong peekEstimate(CatalogEntry e) {
        try {
            return estimates.peek(catalog.fileOf(e), e.contextSize(), e.batchSize());
        } catch (RuntimeException ex) {
            return OptionalLong.empty(); // a file that leaves the models directory: the start reports it
        }
    }

    @Override
    public String toString() {
        return "ModelPool[budget=" + (config.budget().isPresent() ? MemoryEstimate.mib(config.budget().getAsLong()) : "none")
                + ", budget from " + config.budgetSource()
                + ", models=" + slots.keySet() + "]";
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

        /** The configuration; default: loaded as the README says, with no file given and no flags. */
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
            Settings s = settings != null ? settings : Configuration.load(Optional.empty(), Map.of());
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
