package org.snowcrash.agent.pool;

import org.snowcrash.agent.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.snowcrash.agent.pool.PoolSetUp.ask;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.agent.NoBackendStartedException;
import org.snowcrash.testkit.fake.FakeBackend;
import org.snowcrash.agent.ManualClock;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.Settings;
import org.snowcrash.models.MemoryEstimator;
import org.snowcrash.models.ModelCatalog;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.models.gguf.GgufReader;
import org.snowcrash.registry.BackendRegistry;

/**
 * Pinned and preloaded models over the fake backend, with the pool's manual clock: loaded by
 * {@code build()} before any request, never unloaded by keep-alive nor evicted for memory, and a
 * budget too small for the pinned models refused at start. No sleeps: keep-alive runs by moving
 * the clock and calling the pool's expiry, and "loaded before the first request" is read from the
 * events and the backend's start count the moment {@code build()} returns.
 */
class PinnedModelsTest {

    @TempDir
    Path dir;

    private final FakeBackend backend = PoolSetUp.backend();
    private final ManualClock clock = new ManualClock();
    private final List<LifecycleEvent> seen = new CopyOnWriteArrayList<>();
    private PoolSetUp models;
    private long estimate;
    private ModelPool pool;

    @BeforeEach
    void writeModels() throws Exception {
        models = new PoolSetUp(dir);
        estimate = models.estimate;
    }

    @AfterEach
    void stop() {
        if (pool != null) {
            pool.close();
        }
    }

    private Map<String, String> keys(String... keyValues) {
        Map<String, String> m = models.keys(keyValues);
        // Detection reads an empty fake machine (CPU only), never this one's.
        m.putIfAbsent("snowcrash.machine.root", dir.resolve("root").toString());
        m.putIfAbsent("snowcrash.machine.path", "");
        return m;
    }

    private ModelPool.Builder builder(String... keyValues) {
        Settings settings = Settings.of(keys(keyValues), "test");
        return ModelPool.builder().settings(settings).clock(clock)
                .discovery(BackendRegistry.order(List.of(backend), List.of(), settings)).listener(seen::add);
    }

    private String budgetFor(int n) {
        return models.budgetFor(n);
    }

    private PooledModel state(String id) {
        return pool.models().stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
    }

    private List<String> unloaded() {
        return PoolSetUp.unloadedIds(seen);
    }

    private boolean readyBeforeBuildReturned(String id) {
        return seen.stream().anyMatch(e -> e instanceof LifecycleEvent.Ready r && r.modelId().equals(id));
    }

    @Test
    void aPinnedModelIsLoadedByBuildAndOutlivesEveryKeepAlive() {
        pool = builder("model.a.pinned", "true", "snowcrash.pool.keep-alive", "1m").build();
        assertEquals(1, backend.starts("a"), "loaded before any request");
        assertTrue(readyBeforeBuildReturned("a"), seen.toString());
        assertEquals(PooledModel.State.READY, state("a").state());
        assertEquals(Optional.empty(), state("a").expiresAt(), "a pinned model has no expiry");

        pool.chat("a", ask("hi"));
        pool.chat("b", ask("hi"));
        assertEquals(Optional.empty(), state("a").expiresAt(), "not even after a request");
        clock.advance(Duration.ofDays(1));
        pool.expireIdle();
        assertEquals(List.of("b"), unloaded(), "b's keep-alive ran out; a's never does");
        assertEquals(PooledModel.State.READY, state("a").state());
        assertEquals(1, backend.starts("a"));
        assertEquals("a says: still here", pool.chat("a", ask("still here")).text());
    }

    @Test
    void aPinnedModelIsNeverEvictedEvenWhenItIsTheLeastRecentlyUsed() {
        pool = builder("model.a.pinned", "true", "snowcrash.memory.budget", budgetFor(2)).build();
        clock.advance(Duration.ofSeconds(10));
        pool.chat("b", ask("1"));
        clock.advance(Duration.ofSeconds(10));
        assertEquals("c says: 2", pool.chat("c", ask("2")).text());
        assertEquals(List.of("b"), unloaded(), "b went, though a was used longer ago");
        assertEquals(Set.of("a", "c"), backend.openModels());
    }

    @Test
    void whenOnlyPinnedModelsHoldTheMemoryOthersAreRefusedNotThePinnedEvicted() {
        pool = builder("model.a.pinned", "true", "snowcrash.memory.budget", budgetFor(1),
                "snowcrash.pool.acquire-timeout", "100ms").build();
        ChatException e = assertThrows(ChatException.class, () -> pool.chat("b", ask("hi")));
        PoolFailure.OverBudget f = assertInstanceOf(PoolFailure.OverBudget.class, e.failure());
        assertEquals(List.of("a"), f.loaded());
        assertEquals(List.of(), unloaded());
        assertEquals(0, backend.starts("b"));
        assertEquals(PooledModel.State.READY, state("a").state());
    }

    @Test
    void aBudgetTooSmallForThePinnedModelsIsRefusedAtStartNamingEach() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> builder("model.a.pinned", "true", "model.b.pinned", "true", "snowcrash.memory.budget", budgetFor(1)).build());
        assertTrue(e.getMessage().startsWith("invalid configuration: snowcrash.memory.budget="), e.getMessage());
        assertTrue(e.getMessage().contains("too small for the pinned models, which are never unloaded: a "), e.getMessage());
        assertTrue(e.getMessage().contains(" + b "), e.getMessage());
        assertEquals(0, backend.starts("a"), "nothing was started");
        assertEquals(0, backend.starts("b"));
    }

    @Test
    void preloadedModelsAreLoadedBeforeTheFirstRequestAndThenKeepTheirKeepAlive() {
        pool = builder("snowcrash.pool.preload", "c, b", "snowcrash.pool.keep-alive", "10m").build();
        assertEquals(1, backend.starts("b"));
        assertEquals(1, backend.starts("c"));
        assertEquals(0, backend.starts("a"));
        List<String> readyOrder = seen.stream().filter(LifecycleEvent.Ready.class::isInstance)
                .map(x -> ((LifecycleEvent.Ready) x).modelId()).toList();
        assertEquals(List.of("c", "b"), readyOrder, "in the order given");
        assertEquals(Optional.of(clock.instant().plus(Duration.ofMinutes(10))), state("b").expiresAt(),
                "a preloaded model is not pinned: its keep-alive runs from its load");
        int eventsBefore = seen.size();
        assertEquals("b says: hi", pool.chat("b", ask("hi")).text());
        assertEquals(1, backend.starts("b"), "the first request found it loaded");
        assertTrue(seen.subList(eventsBefore, seen.size()).stream().noneMatch(LifecycleEvent.Starting.class::isInstance),
                seen.subList(eventsBefore, seen.size()).toString());
        clock.advance(Duration.ofMinutes(11));
        pool.expireIdle();
        assertTrue(unloaded().containsAll(List.of("b", "c")), unloaded().toString());
    }

    @Test
    void theBuilderPinsAndPreloadsTooAndPinnedOnesLoadFirst() {
        pool = builder().preload("b").pin("c").build();
        List<String> startOrder = seen.stream().filter(LifecycleEvent.Ready.class::isInstance)
                .map(x -> ((LifecycleEvent.Ready) x).modelId()).toList();
        assertEquals(List.of("c", "b"), startOrder);
        clock.advance(Duration.ofHours(1));
        pool.expireIdle();
        assertEquals(List.of("b"), unloaded());
    }

    @Test
    void unknownIdsToPreloadOrPinAreConfigurationErrors() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> builder("snowcrash.pool.preload", "a,nope").build());
        assertTrue(e.getMessage().contains("snowcrash.pool.preload=nope (from test): is not in the catalog"), e.getMessage());
        ConfigurationException pin = assertThrows(ConfigurationException.class, () -> builder().pin("zzz").build());
        assertTrue(pin.getMessage().contains("zzz"), pin.getMessage());
        ConfigurationException bad = assertThrows(ConfigurationException.class, () -> builder("model.a.pinned", "always").build());
        assertTrue(bad.getMessage().contains("model.a.pinned=always"), bad.getMessage());
        assertEquals(0, backend.starts("a"));
    }

    @Test
    void aPinnedModelThatCannotStartFailsTheBuildAndLeavesNothingOpen() {
        backend.failStarts("b");
        assertThrows(NoBackendStartedException.class, () -> builder("model.a.pinned", "true", "model.b.pinned", "true").build());
        assertEquals(1, backend.starts("a"));
        assertEquals(Set.of(), backend.openModels(), "a, loaded first, was closed with the pool");
    }

    @Test
    void onAJetsonTheBudgetDefaultsToTheGpuMemoryAndElsewhereToNone() throws Exception {
        Path root = dir.resolve("root");
        Settings cpu = Settings.of(keys("snowcrash.gpu.memory", "8g"), "test");
        PoolConfig plain = PoolConfig.read(cpu, ModelCatalog.from(cpu));
        assertEquals(OptionalLong.empty(), plain.budget(), "not a Jetson: the GPU's size does not bound whole-model estimates");

        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("etc/nv_tegra_release"), "# R36 (release), REVISION: 4.0, GCID: 1, BOARD: generic\n");
        Files.writeString(root.resolve("proc/meminfo"), "MemTotal:       32036836 kB\n");
        // A second fake tree for the Jetson: detection is remembered per root.
        Path jetsonRoot = dir.resolve("jetson");
        Files.createDirectories(jetsonRoot);
        Files.move(root.resolve("etc"), jetsonRoot.resolve("etc"));
        Files.move(root.resolve("proc"), jetsonRoot.resolve("proc"));
        Map<String, String> k = keys("snowcrash.gpu.reserve", "7g");
        k.put("snowcrash.machine.root", jetsonRoot.toString());
        Settings jetson = Settings.of(k, "test");
        PoolConfig c = PoolConfig.read(jetson, ModelCatalog.from(jetson));
        assertEquals(OptionalLong.of(32036836L * 1024 - (7L << 30)), c.budget());
        assertTrue(c.budgetSource().startsWith("the Jetson's unified memory 30.6 GiB minus snowcrash.gpu.reserve 7.0 GiB"),
                c.budgetSource());
        k.put("snowcrash.memory.budget", "none");
        assertEquals(OptionalLong.empty(), PoolConfig.read(Settings.of(k, "test"), ModelCatalog.from(Settings.of(k, "test"))).budget(),
                "an explicit budget wins");
    }
}
