package org.snowcrash.agent.pool;

import org.snowcrash.agent.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.snowcrash.agent.pool.PoolSetUp.ask;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.agent.InvalidModelException;
import org.snowcrash.agent.NoBackendStartedException;
import org.snowcrash.testkit.fake.FakeBackend;
import org.snowcrash.testkit.fake.Hold;
import org.snowcrash.agent.ManualClock;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.Settings;
import org.snowcrash.models.AutoGpuLayers;
import org.snowcrash.models.MemoryEstimator;
import org.snowcrash.models.ModelCatalog;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.models.UnknownModelException;
import org.snowcrash.models.gguf.GgufReader;
import org.snowcrash.registry.BackendRegistry;

/**
 * The pool over a fake backend: eviction order and budget, keep-alive by a manual clock,
 * admission, one start for many callers, close. Requests and starts are held inside the fake
 * with latches, so "in flight" is a state the test sets, never a matter of time.
 */
class ModelPoolTest {

    @TempDir
    Path dir;

    private final FakeBackend backend = PoolSetUp.backend();
    private final ManualClock clock = new ManualClock();
    private final LinkedBlockingQueue<LifecycleEvent> events = new LinkedBlockingQueue<>();
    private final List<LifecycleEvent> seen = new CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private PoolSetUp models;
    private long estimate;
    private ModelPool pool;

    @BeforeEach
    void writeModels() throws Exception {
        models = new PoolSetUp(dir);
        estimate = models.estimate;
    }

    @AfterEach
    void stop() throws Exception {
        if (pool != null) {
            pool.close();
        }
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
    }

    private ModelPool pool(String... keyValues) {
        Settings settings = Settings.of(models.keys(keyValues), "test");
        pool = ModelPool.builder().settings(settings).clock(clock)
                .discovery(BackendRegistry.order(List.of(backend), List.of(), settings))
                .listener(e -> {
                    seen.add(e);
                    events.add(e);
                })
                .build();
        return pool;
    }

    private String budgetFor(int n) {
        return models.budgetFor(n);
    }

    private PooledModel state(String id) {
        return pool.models().stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
    }

    private <T extends LifecycleEvent> T next(Class<T> type) throws InterruptedException {
        while (true) {
            LifecycleEvent e = events.poll(10, TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("no " + type.getSimpleName() + " event; seen: " + seen);
            }
            if (type.isInstance(e)) {
                return type.cast(e);
            }
        }
    }

    private List<LifecycleEvent.Unloaded> unloads() {
        return seen.stream().filter(LifecycleEvent.Unloaded.class::isInstance).map(LifecycleEvent.Unloaded.class::cast).toList();
    }

    /** Waits for a state the pool shows (requests admitted or queued): no time is assumed. */
    private static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never: " + what);
            }
            Thread.onSpinWait();
        }
    }

    private Future<ChatResponse> chatLater(String model, String text) {
        return threads.submit(() -> pool.chat(model, ask(text)));
    }

    @Test
    void theListingAsksTheRunningModelForItsHealth() {
        pool("snowcrash.memory.budget", budgetFor(2));
        pool.chat("a", ask("hi"));
        backend.dieOnNextRequest("a");
        assertThrows(ChatException.class, () -> pool.chat("a", ask("are you there?")));
        assertEquals(PooledModel.State.DEGRADED, state("a").state(), "the backend died and nothing restarted it yet");
        assertEquals("fake", state("a").backendId().orElseThrow());
        assertEquals("a says: again", pool.chat("a", ask("again")).text(), "the next request starts it again");
        assertEquals(PooledModel.State.READY, state("a").state());
        assertEquals(2, backend.starts("a"));
    }

    @Test
    void startsAModelOnFirstUseAndAnswersFromIt() {
        pool("snowcrash.memory.budget", budgetFor(2));
        assertEquals(PooledModel.State.UNLOADED, state("a").state());
        assertEquals(estimate, state("a").estimatedBytes().getAsLong(), "the estimate is listed before the model is loaded");

        assertEquals("a says: hi", pool.chat("a", ask("hi")).text());
        assertEquals("b says: hello", pool.stream("b", ask("hello"), p -> { }, new Cancellation()).text());

        PooledModel a = state("a");
        assertEquals(PooledModel.State.READY, a.state());
        assertEquals("fake", a.backendId().orElseThrow());
        assertEquals(a.backendId(), pool.servingBackend("a"), "one model's backend, as the listing says");
        assertEquals(java.util.Optional.empty(), pool.servingBackend("c"), "not loaded");
        assertEquals(0, a.inFlight());
        assertEquals(clock.instant(), a.lastUsed().orElseThrow());
        assertEquals(clock.instant().plus(Duration.ofMinutes(5)), a.expiresAt().orElseThrow(), "default keep-alive 5m");
        assertEquals(PooledModel.State.UNLOADED, state("c").state());
        assertEquals(1, backend.starts("a"));
        assertEquals(1, backend.starts("b"));
    }

    @Test
    void aModelListenerHearsEveryEventWithTheModelItBelongsTo() {
        List<String> heard = new CopyOnWriteArrayList<>();
        List<LifecycleEvent> inOrder = new CopyOnWriteArrayList<>();
        Map<String, String> m = new HashMap<>();
        m.put("snowcrash.models.dir", dir.toString());
        for (String id : List.of("a", "b", "c")) {
            m.put("model." + id + ".file", id + ".gguf");
        }
        Settings settings = Settings.of(m, "test");
        backend.failStarts("b");
        pool = ModelPool.builder().settings(settings).clock(clock)
                .discovery(BackendRegistry.order(List.of(backend), List.of(), settings))
                .listener(seen::add)
                .modelListener((model, e) -> {
                    heard.add(model + " " + e.getClass().getSimpleName());
                    inOrder.add(e);
                })
                .build();
        pool.chat("a", ask("hi"));
        assertThrows(NoBackendStartedException.class, () -> pool.chat("b", ask("hi")));
        pool.close();
        assertEquals(seen, inOrder, "the same events, in the same order, as the plain listener");
        assertTrue(heard.containsAll(List.of("a Starting", "a Ready", "a ServedBy", "b Starting", "b Failed", "a Unloaded")),
                heard.toString());
        assertTrue(heard.stream().noneMatch(h -> h.startsWith("c ")), heard.toString());
        for (int i = 0; i < inOrder.size(); i++) {
            String model = heard.get(i).substring(0, 1);
            LifecycleEvent e = inOrder.get(i);
            if (e instanceof LifecycleEvent.Starting s) {
                assertEquals(s.modelId(), model);
            } else if (e instanceof LifecycleEvent.Failed f) {
                assertEquals(f.modelId(), model);
            } else if (e instanceof LifecycleEvent.Unloaded u) {
                assertEquals(u.modelId(), model);
            }
        }
    }

    @Test
    void startsTheCatalogsResolvedSpecWithGpuLayersPlanned() throws Exception {
        pool("model.a.gpu-layers", "auto", "snowcrash.gpu.memory", "8g", "model.a.ctx-size", "1024");
        pool.chat("a", ask("hi"));
        ModelCatalog catalog = ModelCatalog.from(Settings.of(Map.of("snowcrash.models.dir", dir.toString(),
                "model.a.file", "a.gguf", "model.a.ctx-size", "1024")));
        int planned = AutoGpuLayers.resolve(catalog.entry("a"), dir.resolve("a.gguf"), OptionalLong.of(8L << 30)).layers();
        assertEquals(3, planned, "the whole demo model (2 layers and the output layer) fits 8 GiB");
        assertEquals(planned, backend.spec("a").gpuLayers());
        assertEquals(1024, backend.spec("a").contextSize());
        long estimate1024 = MemoryEstimator.estimate(GgufReader.read(dir.resolve("a.gguf")), MemoryEstimator.Settings.of(1024, 128)).total();
        assertEquals(estimate1024, state("a").estimatedBytes().getAsLong(), "estimated with the model's own context size");
    }

    @Test
    void unknownModelIsTypedAndNamesTheKnownOnes() {
        pool();
        UnknownModelException e = assertThrows(UnknownModelException.class, () -> pool.chat("nope", ask("hi")));
        assertTrue(e.getMessage().contains("known models: ") && e.getMessage().contains("a, b, c"), e.getMessage());
    }

    @Test
    void evictsTheLeastRecentlyUsedIdleModelAndOnlyAsManyAsNeeded() throws Exception {
        pool("snowcrash.memory.budget", budgetFor(2));
        pool.chat("a", ask("1"));
        clock.advance(Duration.ofSeconds(10));
        pool.chat("b", ask("2"));
        clock.advance(Duration.ofSeconds(10));
        pool.chat("a", ask("3")); // a is now the more recently used

        clock.advance(Duration.ofSeconds(10));
        assertEquals("c says: 4", pool.chat("c", ask("4")).text());

        LifecycleEvent.Unloaded u = next(LifecycleEvent.Unloaded.class);
        assertEquals("b", u.modelId());
        assertEquals("fake", u.backendId());
        assertTrue(u.reason().startsWith("evicted for memory: making room for 'c'"), u.reason());
        assertEquals(List.of("b"), PoolSetUp.unloadedIds(seen), "only b had to go");
        assertEquals(Set.of("a", "c"), backend.openModels());
        assertEquals(PooledModel.State.UNLOADED, state("b").state());
        assertEquals(PooledModel.State.READY, state("a").state());
        // Its Stopped came first, from the model itself.
        assertTrue(seen.indexOf(new LifecycleEvent.Stopped("fake", "b")) < seen.indexOf(u));
    }

    @Test
    void neverEvictsAModelWithARequestInFlightAndWaitsForItToEnd() throws Exception {
        pool("snowcrash.memory.budget", budgetFor(1));
        Hold hold = backend.holdRequests("a");
        Future<ChatResponse> onA = chatLater("a", "long");
        hold.awaitEntered(1);

        Future<ChatResponse> onB = chatLater("b", "next");
        LifecycleEvent.Progress waiting = next(LifecycleEvent.Progress.class);
        assertEquals("b", waiting.modelId());
        assertTrue(waiting.message().startsWith("waiting up to 30s for memory"), waiting.message());
        assertEquals(PooledModel.State.STARTING, state("b").state());
        assertEquals(PooledModel.State.READY, state("a").state());
        assertEquals(0, backend.starts("b"));

        hold.release();
        assertEquals("a says: long", onA.get(10, TimeUnit.SECONDS).text(), "the request in flight was answered, not cut");
        assertEquals("b says: next", onB.get(10, TimeUnit.SECONDS).text());
        assertEquals(List.of("a"), PoolSetUp.unloadedIds(seen));
        assertEquals(List.of(), backend.closedWhileBusy());
        backend.openAfterStart().forEach(open -> assertEquals(1, open.size(), "never two models at once: " + open));
    }

    @Test
    void overBudgetAfterTheBoundedWaitNamesBudgetEstimateAndWhatIsLoaded() throws Exception {
        String budget = budgetFor(1);
        pool("snowcrash.memory.budget", budget, "snowcrash.pool.acquire-timeout", "200ms");
        Hold hold = backend.holdRequests("a");
        Future<ChatResponse> onA = chatLater("a", "long");
        hold.awaitEntered(1);

        ChatException e = assertThrows(ChatException.class, () -> pool.chat("b", ask("next")));
        PoolFailure.OverBudget f = assertInstanceOf(PoolFailure.OverBudget.class, e.failure());
        assertEquals(Long.parseLong(budget), f.budgetBytes());
        assertEquals(estimate, f.estimateBytes());
        assertEquals(List.of("a"), f.loaded());
        assertEquals("pool", e.backendId());
        assertTrue(e.getMessage().contains("model 'b', after waiting 200ms for memory")
                && e.getMessage().contains("beside the loaded models (a), too few of which were idle"), e.getMessage());
        assertEquals(PooledModel.State.UNLOADED, state("b").state(), "the failed start gave its place back");
        assertEquals(0, backend.starts("b"));

        hold.release();
        assertEquals("a says: long", onA.get(10, TimeUnit.SECONDS).text());
        assertEquals("b says: again", pool.chat("b", ask("again")).text(), "once a is idle, b evicts it");
    }

    @Test
    void aModelLargerThanTheWholeBudgetFailsAtOnceWithoutEvictingAnything() {
        pool("snowcrash.memory.budget", Long.toString(estimate + estimate / 2), "model.c.ctx-size", "65536",
                "snowcrash.pool.acquire-timeout", "1h");
        pool.chat("a", ask("hi"));
        ChatException e = assertThrows(ChatException.class, () -> pool.chat("c", ask("too big")));
        PoolFailure.OverBudget f = assertInstanceOf(PoolFailure.OverBudget.class, e.failure());
        assertTrue(f.estimateBytes() > f.budgetBytes());
        assertTrue(e.getMessage().contains("more than the whole memory budget"), e.getMessage());
        assertEquals(PooledModel.State.READY, state("a").state());
        assertEquals(List.of(), unloads());
    }

    @Test
    void anInvalidModelFileFailsBeforeAnythingIsEvicted() throws Exception {
        Files.writeString(dir.resolve("c.gguf"), "not a model");
        pool("snowcrash.memory.budget", budgetFor(1));
        pool.chat("a", ask("hi"));
        assertThrows(InvalidModelException.class, () -> pool.chat("c", ask("hi")));
        assertEquals(PooledModel.State.READY, state("a").state());
        assertEquals(List.of(), unloads());
        assertEquals(PooledModel.State.UNLOADED, state("c").state());
    }

    @Test
    void twoStartsAtOnceNeverBothPassTheBudget() throws Exception {
        pool("snowcrash.memory.budget", budgetFor(1));
        Hold start = backend.holdStarts("a");
        Future<ChatResponse> onA = chatLater("a", "first");
        start.awaitEntered(1); // a has its reservation and is inside the backend's start

        Future<ChatResponse> onB = chatLater("b", "second");
        assertEquals("b", next(LifecycleEvent.Progress.class).modelId(), "b waits for memory a reserved");
        assertEquals(0, backend.starts("b"));

        start.release();
        assertEquals("a says: first", onA.get(10, TimeUnit.SECONDS).text());
        assertEquals("b says: second", onB.get(10, TimeUnit.SECONDS).text());
        backend.openAfterStart().forEach(open -> assertEquals(1, open.size(), "never two models at once: " + open));
    }

    @Test
    void admissionDefaultsToTheModelsServerSlotsAndTheRestWaitInThePoolsQueue() throws Exception {
        Settings s = Settings.of(Map.of("snowcrash.models.dir", dir.toString(), "model.a.file", "a.gguf",
                "model.b.file", "b.gguf", "model.b.parallel", "3"), "test");
        PoolConfig config = PoolConfig.read(s, org.snowcrash.models.ModelCatalog.from(s));
        assertEquals(1, config.limits().get("a").maxInFlight(), "one server slot, one request at once");
        assertEquals(3, config.limits().get("b").maxInFlight(), "three slots, three at once");
        assertEquals(1, config.limits().get("demo").maxInFlight());
    }

    @Test
    void twoFirstRequestsAtOnceStartTheModelOnce() throws Exception {
        // Both admitted at once (the default admits the model's one server slot), so both wait for the start.
        pool("model.a.max-in-flight", "4");
        Hold start = backend.holdStarts("a");
        Future<ChatResponse> first = chatLater("a", "one");
        start.awaitEntered(1);
        Future<ChatResponse> second = chatLater("a", "two");
        until("both requests admitted", () -> state("a").inFlight() == 2);
        assertEquals(PooledModel.State.STARTING, state("a").state());

        start.release();
        assertEquals("a says: one", first.get(10, TimeUnit.SECONDS).text());
        assertEquals("a says: two", second.get(10, TimeUnit.SECONDS).text());
        assertEquals(1, backend.starts("a"));
    }

    @Test
    void requestsWaitingForAStartThatFailsGetItsFailureWithoutStartingAgain() throws Exception {
        // Both admitted at once (the default admits the model's one server slot), so both wait for the start.
        pool("model.a.max-in-flight", "4");
        backend.failStarts("a");
        Hold start = backend.holdStarts("a");
        Future<ChatResponse> first = chatLater("a", "one");
        start.awaitEntered(1);
        Future<ChatResponse> second = chatLater("a", "two");
        until("both requests admitted", () -> state("a").inFlight() == 2);

        start.release();
        Throwable one = assertThrows(ExecutionException.class, () -> first.get(10, TimeUnit.SECONDS)).getCause();
        Throwable two = assertThrows(ExecutionException.class, () -> second.get(10, TimeUnit.SECONDS)).getCause();
        assertInstanceOf(NoBackendStartedException.class, one);
        assertSame(one, two);
        assertEquals(1, backend.starts("a"));
        assertEquals(PooledModel.State.UNLOADED, state("a").state());
        assertEquals(0, state("a").inFlight());
    }

    @Test
    void keepAlivePositiveUnloadsOnceTheClockSaysSo() throws Exception {
        pool("model.a.keep-alive", "10m");
        pool.chat("a", ask("hi"));
        clock.advance(Duration.ofMinutes(9));
        pool.expireIdle();
        assertEquals(PooledModel.State.READY, state("a").state());

        clock.advance(Duration.ofMinutes(1));
        pool.expireIdle();
        assertEquals(PooledModel.State.UNLOADED, state("a").state());
        LifecycleEvent.Unloaded u = next(LifecycleEvent.Unloaded.class);
        assertEquals("keep-alive expired: idle for 10m", u.reason());
        assertEquals(Set.of(), backend.openModels());

        assertEquals("a says: back", pool.chat("a", ask("back")).text(), "the next request loads it again");
        assertEquals(2, backend.starts("a"));
    }

    @Test
    void keepAliveCountsFromTheEndOfTheLastRequestNotItsStart() throws Exception {
        pool("model.a.keep-alive", "10m");
        Hold hold = backend.holdRequests("a");
        Future<ChatResponse> onA = chatLater("a", "long");
        hold.awaitEntered(1);
        clock.advance(Duration.ofMinutes(30));
        pool.expireIdle();
        assertEquals(PooledModel.State.READY, state("a").state(), "in flight: never unloaded");

        hold.release();
        onA.get(10, TimeUnit.SECONDS);
        clock.advance(Duration.ofMinutes(9));
        pool.expireIdle();
        assertEquals(PooledModel.State.READY, state("a").state());
        clock.advance(Duration.ofMinutes(1));
        pool.expireIdle();
        assertEquals(PooledModel.State.UNLOADED, state("a").state());
    }

    @Test
    void keepAliveZeroUnloadsAfterEachRequest() throws Exception {
        pool("model.a.keep-alive", "0");
        assertEquals("a says: one", pool.chat("a", ask("one")).text());
        // The pool's own timer unloads it at once; no clock movement needed.
        LifecycleEvent.Unloaded u = next(LifecycleEvent.Unloaded.class);
        assertEquals("keep-alive 0: unloaded after its last request", u.reason());
        assertEquals(PooledModel.State.UNLOADED, state("a").state());

        pool.chat("a", ask("two"));
        next(LifecycleEvent.Unloaded.class);
        assertEquals(2, backend.starts("a"));
    }

    @Test
    void keepAliveNegativeNeverUnloadsForIdlenessButStillGivesWayToTheBudget() throws Exception {
        pool("model.a.keep-alive", "-1", "snowcrash.memory.budget", budgetFor(1));
        pool.chat("a", ask("hi"));
        clock.advance(Duration.ofDays(10_000));
        pool.expireIdle();
        assertEquals(PooledModel.State.READY, state("a").state());
        assertTrue(state("a").expiresAt().isEmpty());

        pool.chat("b", ask("hi"));
        assertTrue(next(LifecycleEvent.Unloaded.class).reason().startsWith("evicted for memory"));
    }

    @Test
    void busyBeyondMaxInFlightAndQueue() throws Exception {
        pool("model.a.max-in-flight", "2", "model.a.queue", "1");
        Hold hold = backend.holdRequests("a");
        Future<ChatResponse> one = chatLater("a", "1");
        Future<ChatResponse> two = chatLater("a", "2");
        hold.awaitEntered(2);
        Future<ChatResponse> three = chatLater("a", "3");
        until("the third request queued", () -> state("a").queued() == 1);

        ChatException e = assertThrows(ChatException.class, () -> pool.chat("a", ask("4")));
        PoolFailure.Busy busy = assertInstanceOf(PoolFailure.Busy.class, e.failure());
        assertEquals(new PoolFailure.Busy("a", 2, 1, Duration.ofSeconds(1)), busy);
        assertTrue(e.getMessage().contains("retry after 1 s"), e.getMessage());
        assertEquals(2, state("a").inFlight());

        hold.release();
        assertEquals("a says: 1", one.get(10, TimeUnit.SECONDS).text());
        assertEquals("a says: 2", two.get(10, TimeUnit.SECONDS).text());
        assertEquals("a says: 3", three.get(10, TimeUnit.SECONDS).text(), "the queued request ran once a place was free");
        assertEquals(0, state("a").queued());
    }

    @Test
    void aQueuedRequestThatWaitsPastTheAcquireTimeoutIsBusy() throws Exception {
        pool("model.a.max-in-flight", "1", "model.a.queue", "4", "snowcrash.pool.acquire-timeout", "100ms");
        Hold hold = backend.holdRequests("a");
        Future<ChatResponse> one = chatLater("a", "1");
        hold.awaitEntered(1);

        ChatException e = assertThrows(ChatException.class, () -> pool.chat("a", ask("waits")));
        assertInstanceOf(PoolFailure.Busy.class, e.failure());
        assertEquals(0, state("a").queued(), "it left the queue");

        hold.release();
        one.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aCancelledQueuedRequestEndsCancelledAndLeavesTheQueue() throws Exception {
        pool("model.a.max-in-flight", "1", "model.a.queue", "4");
        Hold hold = backend.holdRequests("a");
        Future<ChatResponse> one = chatLater("a", "1");
        hold.awaitEntered(1);

        Cancellation cancellation = new Cancellation();
        Future<ChatResponse> queued = threads.submit(() -> pool.stream("a", ask("cancel me"), p -> { }, cancellation));
        until("queued", () -> state("a").queued() == 1);
        cancellation.cancel();
        assertEquals(FinishReason.CANCELLED, queued.get(10, TimeUnit.SECONDS).finishReason());
        assertEquals(0, state("a").queued());

        hold.release();
        one.get(10, TimeUnit.SECONDS);
        assertEquals(0, state("a").inFlight());
    }

    @Test
    void closeUnloadsEverythingWithAnEventEachAndRefusesLaterRequests() throws Exception {
        pool();
        pool.chat("a", ask("hi"));
        pool.chat("b", ask("hi"));
        pool.close();
        assertEquals(Set.of(), backend.openModels());
        List<LifecycleEvent.Unloaded> u = unloads();
        assertEquals(Set.of("a", "b"), Set.copyOf(PoolSetUp.unloadedIds(u)));
        u.forEach(x -> assertEquals("pool closed", x.reason()));
        assertEquals(2, u.size());
        assertTrue(pool.models().stream().allMatch(m -> m.state() == PooledModel.State.UNLOADED));

        ChatException e = assertThrows(ChatException.class, () -> pool.chat("a", ask("again")));
        assertInstanceOf(ChatFailure.Closed.class, e.failure());
        pool.close(); // idempotent
        assertEquals(2, unloads().size());
    }

    @Test
    void closeWhileAModelStartsClosesItWhenTheStartEnds() throws Exception {
        pool();
        Hold start = backend.holdStarts("a");
        Future<ChatResponse> onA = chatLater("a", "hi");
        start.awaitEntered(1);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(pool::close, threads);
        closing.get(10, TimeUnit.SECONDS); // close does not wait for a start
        start.release();
        ChatException e = (ChatException) assertThrows(ExecutionException.class, () -> onA.get(10, TimeUnit.SECONDS)).getCause();
        assertInstanceOf(ChatFailure.Closed.class, e.failure());
        assertEquals(Set.of(), backend.openModels());
        assertEquals("pool closed", next(LifecycleEvent.Unloaded.class).reason());
    }

    @Test
    void everyUnloadHasOneEventWithItsReason() throws Exception {
        pool("snowcrash.memory.budget", budgetFor(1), "model.c.keep-alive", "1m");
        pool.chat("a", ask("1"));
        pool.chat("b", ask("2"));          // evicts a
        pool.chat("c", ask("3"));          // evicts b
        clock.advance(Duration.ofMinutes(1));
        pool.expireIdle();                 // c expires
        pool.chat("a", ask("4"));
        pool.close();                      // a closes
        List<String> reasons = unloads().stream().map(u -> u.modelId() + ": " + u.reason()).toList();
        assertEquals(4, reasons.size(), reasons.toString());
        assertTrue(reasons.get(0).startsWith("a: evicted for memory: making room for 'b'"), reasons.toString());
        assertTrue(reasons.get(1).startsWith("b: evicted for memory: making room for 'c'"), reasons.toString());
        assertEquals("c: keep-alive expired: idle for 1m", reasons.get(2));
        assertEquals("a: pool closed", reasons.get(3));
        assertEquals(4, seen.stream().filter(LifecycleEvent.Stopped.class::isInstance).count());
    }

    @Test
    void badPoolSettingsAreReportedTogetherWithTheirKeys() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> pool(
                "model.a.keep-alive", "soon", "model.b.max-in-flight", "0", "snowcrash.memory.budget", "lots",
                "snowcrash.pool.acquire-timout", "1s"));
        String m = e.getMessage();
        assertTrue(m.contains("model.a.keep-alive=soon"), m);
        assertTrue(m.contains("model.b.max-in-flight=0"), m);
        assertTrue(m.contains("snowcrash.memory.budget=lots"), m);
        assertTrue(m.contains("did you mean snowcrash.pool.acquire-timeout?"), m);
        pool = null;
    }

    @Test
    void keepAliveValuesParse() {
        assertEquals(Duration.ofMinutes(5), KeepAlive.parse("5m").orElseThrow().duration());
        assertTrue(KeepAlive.parse("0").orElseThrow().afterEachRequest());
        assertTrue(KeepAlive.parse("0s").orElseThrow().afterEachRequest());
        assertTrue(KeepAlive.parse("-1").orElseThrow().never());
        assertTrue(KeepAlive.parse("-5m").orElseThrow().never());
        assertTrue(KeepAlive.parse("-PT1S").orElseThrow().never());
        assertEquals(Duration.ofHours(1), KeepAlive.parse("PT1H").orElseThrow().duration());
        assertFalse(KeepAlive.parse("5").isPresent(), "a bare positive number has no unit");
        assertFalse(KeepAlive.parse("later").isPresent());
    }
}
