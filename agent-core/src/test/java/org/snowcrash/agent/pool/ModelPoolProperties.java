package org.snowcrash.agent.pool;

import org.snowcrash.agent.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.snowcrash.testkit.fake.FakeBackend;
import org.snowcrash.testkit.fake.Hold;
import org.snowcrash.agent.ManualClock;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.Settings;
import org.snowcrash.models.MemoryEstimator;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.models.gguf.GgufReader;
import org.snowcrash.registry.BackendRegistry;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.constraints.IntRange;

/**
 * For any sequence of requests that begin (and stay in flight), requests that end, and clock
 * ticks, under any budget between the largest model and all of them and any keep-alives: the
 * models open in the backend never hold more estimated memory than the budget, not even for the
 * moment after a start, and no model is closed while a request is inside it. Requests that the
 * pool refuses are refused with {@code Busy} or {@code OverBudget}, nothing else.
 */
class ModelPoolProperties {

    private static final List<String> MODELS = List.of("a", "b", "c");
    /** Different context sizes give the three files different estimates (their KV caches differ). */
    private static final Map<String, Integer> CONTEXT = Map.of("a", 512, "b", 1024, "c", 2048);
    private static Path dir;
    private static final Map<String, Long> ESTIMATE = new HashMap<>();

    @BeforeContainer
    static void writeModels() throws Exception {
        dir = Files.createTempDirectory("pool-properties");
        for (String id : MODELS) {
            Path file = dir.resolve(id + ".gguf");
            TinyLlama.demo().write(file);
            ESTIMATE.put(id, MemoryEstimator.estimate(GgufReader.read(file), MemoryEstimator.Settings.of(CONTEXT.get(id), 128)).total());
        }
    }

    @AfterContainer
    static void removeModels() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    sealed interface Op permits Begin, End, Tick {
    }

    /** A request to the model starts and stays in flight (held in the fake). */
    record Begin(String model) implements Op {
    }

    /** Every request in flight on the model ends. */
    record End(String model) implements Op {
    }

    /** The clock moves on and the pool looks for expired keep-alives. */
    record Tick(int minutes) implements Op {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<String> model = Arbitraries.of(MODELS);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, model.map(m -> (Op) new Begin(m))),
                net.jqwik.api.Tuple.of(3, model.map(m -> (Op) new End(m))),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 2).map(n -> (Op) new Tick(n))))
                .list().ofMaxSize(14);
    }

    @Provide
    Arbitrary<List<String>> keepAlives() {
        return Arbitraries.of("0", "1m", "-1").list().ofSize(MODELS.size());
    }

    @Property(tries = 60)
    void theBudgetHoldsAndNoModelWithARequestInsideIsClosed(@ForAll("ops") List<Op> ops,
                                                             @ForAll @IntRange(max = 100) int slack,
                                                             @ForAll("keepAlives") List<String> keepAlives) throws Exception {
        long largest = ESTIMATE.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        long all = ESTIMATE.values().stream().mapToLong(Long::longValue).sum();
        long budget = largest + (all - largest) * slack / 100;

        Map<String, String> m = new HashMap<>();
        m.put("snowcrash.models.dir", dir.toString());
        m.put("snowcrash.memory.budget", Long.toString(budget));
        m.put("snowcrash.pool.acquire-timeout", "20ms");
        for (int i = 0; i < MODELS.size(); i++) {
            String id = MODELS.get(i);
            m.put("model." + id + ".file", id + ".gguf");
            m.put("model." + id + ".ctx-size", Integer.toString(CONTEXT.get(id)));
            m.put("model." + id + ".keep-alive", keepAlives.get(i));
            m.put("model." + id + ".max-in-flight", "2");
            m.put("model." + id + ".queue", "1");
        }
        Settings settings = Settings.of(m, "property");
        FakeBackend backend = PoolSetUp.backend();
        ManualClock clock = new ManualClock();
        ExecutorService threads = Executors.newCachedThreadPool();
        Map<String, Hold> holds = new HashMap<>();
        Map<String, List<Future<ChatResponse>>> inFlight = new HashMap<>();
        MODELS.forEach(id -> inFlight.put(id, new ArrayList<>()));
        ModelPool pool = ModelPool.builder().settings(settings).clock(clock)
                .discovery(BackendRegistry.order(List.of(backend), List.of(), settings)).build();
        try {
            for (Op op : ops) {
                if (op instanceof Begin b) {
                    begin(pool, backend, threads, holds, inFlight, b.model());
                } else if (op instanceof End e) {
                    end(backend, holds, inFlight, e.model());
                } else if (op instanceof Tick t) {
                    clock.advance(Duration.ofMinutes(t.minutes()));
                    pool.expireIdle();
                }
                check(backend, budget, op);
            }
            for (String id : MODELS) {
                end(backend, holds, inFlight, id);
            }
            check(backend, budget, "the end");
        } finally {
            holds.values().forEach(Hold::release);
            pool.close();
            threads.shutdownNow();
            assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertEquals(Set.of(), backend.openModels(), "close unloads everything");
    }

    private static void begin(ModelPool pool, FakeBackend backend, ExecutorService threads, Map<String, Hold> holds,
                              Map<String, List<Future<ChatResponse>>> inFlight, String model) throws Exception {
        Hold hold = holds.computeIfAbsent(model, backend::holdRequests);
        Future<ChatResponse> f = threads.submit(() -> pool.chat(model, PoolSetUp.ask("x")));
        while (true) {
            if (hold.tryEntered(5)) {
                inFlight.get(model).add(f);
                return;
            }
            if (f.isDone()) {
                Throwable e = assertInstanceOf(ExecutionException.class, catchGet(f)).getCause();
                ChatFailure failure = assertInstanceOf(ChatException.class, e).failure();
                assertTrue(failure instanceof PoolFailure.Busy || failure instanceof PoolFailure.OverBudget, failure.describe());
                return;
            }
        }
    }

    private static Throwable catchGet(Future<ChatResponse> f) {
        try {
            f.get();
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    private static void end(FakeBackend backend, Map<String, Hold> holds, Map<String, List<Future<ChatResponse>>> inFlight,
                            String model) throws Exception {
        Hold hold = holds.remove(model);
        if (hold == null) {
            return;
        }
        backend.dropRequestHold(model); // later requests go through a new hold
        hold.release();
        for (Future<ChatResponse> f : inFlight.get(model)) {
            assertEquals(model + " says: x", f.get(10, TimeUnit.SECONDS).text(), "a request in flight is answered, never cut");
        }
        inFlight.get(model).clear();
    }

    private static void check(FakeBackend backend, long budget, Object after) {
        for (Set<String> open : backend.openAfterStart()) {
            long held = open.stream().mapToLong(ESTIMATE::get).sum();
            assertTrue(held <= budget, "after " + after + ": " + open + " hold " + held + " > budget " + budget);
        }
        assertEquals(List.of(), backend.closedWhileBusy(), "after " + after);
    }
}
