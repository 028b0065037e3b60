package org.snowcrash.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.testkit.fake.FakeBackend;
import org.snowcrash.testkit.fake.FakeBackend.Mode;
import org.snowcrash.testkit.fake.FakeSession;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.LlmBackend;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.registry.BackendRegistry;
import org.snowcrash.registry.Discovery;

class FallbackChainTest {

    @TempDir
    Path dir;

    private static Discovery discovery(Settings s, LlmBackend... backends) {
        return BackendRegistry.order(List.of(backends), List.of(), s);
    }

    @Test
    void skipsUnavailableAndFailedBackendsAndRecordsEveryAttempt() throws Exception {
        FakeBackend a = FakeBackend.of("a", 50, Mode.UNAVAILABLE);
        FakeBackend b = FakeBackend.of("b", 40, Mode.START_FAILS);
        FakeBackend c = FakeBackend.of("c", 30, Mode.START_THROWS_LINKAGE);
        FakeBackend d = FakeBackend.of("d", 20, Mode.AVAILABILITY_THROWS);
        FakeBackend e = FakeBackend.of("e", 10, Mode.WORKS);
        List<LifecycleEvent> events = new ArrayList<>();
        Launch launch = FallbackChain.start(discovery(Settings.empty(), a, b, c, d, e), FakeBackend.spec(dir, 512),
                Settings.empty(), events::add);
        assertEquals("e", launch.session().info().backendId());
        assertEquals(List.of("a", "b", "c", "d", "e"), launch.attempts().stream().map(Attempt::backendId).collect(Collectors.toList()));
        assertInstanceOf(Attempt.Unavailable.class, launch.attempts().get(0).outcome());
        assertInstanceOf(Attempt.Failed.class, launch.attempts().get(1).outcome());
        assertTrue(launch.attempts().get(1).outcome().describe().contains("exited with code 1 (killed: out of memory)"));
        assertTrue(launch.attempts().get(2).outcome().describe().contains("native library missing"));
        assertTrue(launch.attempts().get(3).outcome().describe().contains("availability blew up"));
        assertInstanceOf(Attempt.Started.class, launch.attempts().get(4).outcome());
        List<String> fallbacks = events.stream().filter(ev -> ev instanceof LifecycleEvent.Fallback)
                .map(LifecycleEvent::backendId).collect(Collectors.toList());
        assertEquals(List.of("a", "b", "c", "d"), fallbacks);
        assertInstanceOf(LifecycleEvent.ServedBy.class, events.get(events.size() - 1));
        assertInstanceOf(LifecycleEvent.Ready.class, events.get(events.size() - 2));
    }

    @Test
    void aBackendNobodyConfiguredIsListedButIsNoFallback() throws Exception {
        FakeBackend remote = FakeBackend.of("remote", 30, Mode.NOT_CONFIGURED);
        FakeBackend local = FakeBackend.of("local", 10, Mode.WORKS);
        List<LifecycleEvent> events = new ArrayList<>();
        Launch launch = FallbackChain.start(discovery(Settings.empty(), remote, local), FakeBackend.spec(dir, 512),
                Settings.empty(), events::add);
        assertEquals("local", launch.session().info().backendId());
        assertEquals(new Attempt.NotConfigured("set backend.remote.endpoints"), launch.attempts().get(0).outcome());
        assertEquals(0, remote.starts());
        assertTrue(events.contains(new LifecycleEvent.Skipped("remote", "not configured: set backend.remote.endpoints")), events.toString());
        assertTrue(events.stream().noneMatch(e -> e instanceof LifecycleEvent.Fallback), "nothing went wrong: " + events);
    }

    @Test
    void runtimeExceptionFromStartFallsBack() throws Exception {
        Launch l = FallbackChain.start(discovery(Settings.empty(), FakeBackend.of("x", 2, Mode.START_THROWS_RUNTIME),
                FakeBackend.of("y", 1, Mode.WORKS)), FakeBackend.spec(dir, 512), Settings.empty(), ev -> { });
        assertEquals("y", l.session().info().backendId());
    }

    @Test
    void noBackendListsEveryAttemptInOrderWithCausesSuppressed() throws Exception {
        Settings s = Settings.of(Map.of("backend.off.enabled", "false"));
        NoBackendStartedException e = assertThrows(NoBackendStartedException.class, () -> FallbackChain.start(
                discovery(s, FakeBackend.of("docker", 20, Mode.START_FAILS), FakeBackend.of("llamacpp", 10, Mode.UNAVAILABLE),
                        FakeBackend.of("off", 5, Mode.WORKS)), FakeBackend.spec(dir, 512), s, ev -> { }));
        String m = e.getMessage();
        assertTrue(m.startsWith("no backend could start model 'm'; tried in order:\n  1. docker priority=20: failed: server exited with code 1 (killed: out of memory) while loading; last log lines:\n    | boom line ("), m);
        assertTrue(m.contains("\n  2. llamacpp priority=10: unavailable: llamacpp is not installed ("), m);
        assertTrue(m.contains("\n  3. off priority=5: disabled (backend.off.enabled=false) ("), m);
        assertEquals(1, e.getSuppressed().length);
    }

    @Test
    void invalidModelIsReportedOnceAndNoBackendIsTried() throws Exception {
        FakeBackend a = FakeBackend.of("a", 1, Mode.WORKS);
        Path bad = Files.writeString(dir.resolve("bad.gguf"), "this is not a model");
        ModelSpec spec = ModelSpec.builder("m", bad).build();
        InvalidModelException e = assertThrows(InvalidModelException.class,
                () -> FallbackChain.start(discovery(Settings.empty(), a), spec, Settings.empty(), ev -> { }));
        assertTrue(e.getMessage().contains("not a GGUF file"), e.getMessage());
        assertEquals(0, a.starts());
        ModelSpec missing = ModelSpec.builder("m", dir.resolve("nope.gguf")).build();
        InvalidModelException e2 = assertThrows(InvalidModelException.class,
                () -> FallbackChain.start(discovery(Settings.empty(), a), missing, Settings.empty(), ev -> { }));
        assertTrue(e2.getMessage().contains("does not exist"), e2.getMessage());
        assertEquals(0, a.starts());
    }

    @Test
    void aUserErrorFromABackendStopsTheChain() throws Exception {
        FakeBackend a = FakeBackend.of("a", 2, Mode.USER_ERROR);
        FakeBackend b = FakeBackend.of("b", 1, Mode.WORKS);
        assertThrows(NoBackendStartedException.class,
                () -> FallbackChain.start(discovery(Settings.empty(), a, b), FakeBackend.spec(dir, 512), Settings.empty(), ev -> { }));
        assertEquals(0, b.starts());
    }

    @Test
    void aThrowingListenerDoesNotBreakTheStart() throws Exception {
        Launch l = FallbackChain.start(discovery(Settings.empty(), FakeBackend.of("a", 1, Mode.WORKS)), FakeBackend.spec(dir, 512),
                Settings.empty(), ev -> {
                    throw new IllegalStateException("viewer bug");
                });
        assertEquals("a", l.session().info().backendId());
    }

    /** Every candidate appears exactly once in the failure report, in try order. */
    @Property(tries = 100)
    void everyCandidateExactlyOnceInTheReport(@ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 3) Integer> modes)
            throws Exception {
        Mode[] failing = {Mode.UNAVAILABLE, Mode.START_FAILS, Mode.START_THROWS_RUNTIME, Mode.START_THROWS_LINKAGE};
        List<LlmBackend> backends = new ArrayList<>();
        for (int i = 0; i < modes.size(); i++) {
            backends.add(FakeBackend.of("b" + i, i % 3, failing[modes.get(i)]));
        }
        Path d = Files.createTempDirectory("chain");
        try {
            Discovery disc = BackendRegistry.order(backends, List.of(), Settings.empty());
            NoBackendStartedException e = assertThrows(NoBackendStartedException.class,
                    () -> FallbackChain.start(disc, FakeBackend.spec(d, 512), Settings.empty(), ev -> { }));
            assertEquals(disc.ids(), e.attempts().stream().map(Attempt::backendId).collect(Collectors.toList()));
            int last = -1;
            for (String id : disc.ids()) {
                int at = e.getMessage().indexOf(". " + id + " priority=");
                assertTrue(at > last, "each id once and in order: " + e.getMessage());
                assertEquals(at, e.getMessage().lastIndexOf(". " + id + " priority="));
                last = at;
            }
        } finally {
            Files.deleteIfExists(d.resolve("m.gguf"));
            Files.delete(d);
        }
    }
}
