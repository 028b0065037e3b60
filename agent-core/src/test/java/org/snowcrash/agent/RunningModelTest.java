package org.snowcrash.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.testkit.fake.FakeBackend;
import org.snowcrash.testkit.fake.FakeBackend.Mode;
import org.snowcrash.testkit.fake.FakeSession;
import org.snowcrash.testkit.fake.Hold;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.Settings;
import org.snowcrash.registry.BackendRegistry;
import org.snowcrash.registry.Discovery;

/** The runtime under every front end: concurrent callers, one restart after a death, close. */
class RunningModelTest {

    @TempDir
    Path dir;

    private final FakeBackend backend = FakeBackend.of("fake", 10, Mode.WORKS);
    private final List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() throws Exception {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    private RunningModel start() throws Exception {
        return RunningModel.builder().settings(Settings.empty()).spec(FakeBackend.spec(dir, 4096))
                .discovery(BackendRegistry.order(List.of(backend), List.of(), Settings.empty()))
                .listener(events::add).start();
    }

    private static ChatRequest ask(String text) {
        return ChatRequest.of(List.of(ChatMessage.user(text)), 100);
    }

    private long count(Class<? extends LifecycleEvent> type) {
        return events.stream().filter(type::isInstance).count();
    }

    @Test
    void aDemoModelThatCannotBeWrittenIsAnInvalidModelNamingTheFile() throws Exception {
        // A file where the demo's folder would be: creating it fails for root too.
        java.nio.file.Path models = java.nio.file.Files.createDirectories(dir.resolve("blocked-models"));
        java.nio.file.Files.writeString(models.resolve("demo"), "not a folder");
        InvalidModelException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidModelException.class,
                () -> RunningModel.builder().settings(Settings.of(java.util.Map.of("snowcrash.models.dir", models.toString())))
                        .model("demo").discovery(BackendRegistry.order(List.of(backend), List.of(), Settings.empty())).start());
        assertTrue(e.getMessage().startsWith("model 'demo': "), e.getMessage());
        assertTrue(e.getMessage().contains("cannot write the demo model there"), e.getMessage());
        assertEquals(org.snowcrash.api.SnowcrashException.Kind.BAD_INPUT, e.kind());
    }

    @Test
    void severalCallersStreamAtOnceEachWithItsOwnCancellation() throws Exception {
        int callers = 4;
        try (RunningModel model = start()) {
            // Every caller waits here on its first piece: with requests run one after another the barrier never trips.
            CyclicBarrier allInside = new CyclicBarrier(callers);
            List<Future<ChatResponse>> answers = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                int caller = i;
                Cancellation cancellation = new Cancellation();
                List<String> pieces = new ArrayList<>();
                answers.add(pool.submit(() -> model.stream(ask("caller" + caller + " a b c d e f"), piece -> {
                    pieces.add(piece);
                    if (pieces.size() == 1) {
                        try {
                            allInside.await(10, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            throw new IllegalStateException("callers were not served at once", e);
                        }
                    }
                    if (caller == 0 && pieces.size() == 2) {
                        cancellation.cancel(); // only this caller's request
                    }
                }, cancellation)));
            }
            ChatResponse cancelled = answers.get(0).get(30, TimeUnit.SECONDS);
            assertEquals(FinishReason.CANCELLED, cancelled.finishReason());
            assertEquals("echo caller0", cancelled.text());
            for (int i = 1; i < callers; i++) {
                ChatResponse r = answers.get(i).get(30, TimeUnit.SECONDS);
                assertEquals(FinishReason.STOP, r.finishReason(), "caller " + i);
                assertEquals("echo caller" + i + " a b c d e f", r.text(), "each caller gets its own answer");
            }
            assertEquals(1, backend.starts());
        }
    }

    @Test
    void callersThatSeeOneDeathReportItOnceAndShareOneRestart() throws Exception {
        try (RunningModel model = start()) {
            FakeSession first = backend.last();
            Hold allInside = backend.holdRequests(first.info().modelId());
            first.dead(true);
            List<Future<?>> failing = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                failing.add(pool.submit(() -> model.chat(ask("x"))));
            }
            allInside.awaitEntered(3);
            allInside.release();
            for (Future<?> f : failing) {
                Exception e = assertThrows(Exception.class, () -> f.get(30, TimeUnit.SECONDS));
                assertInstanceOf(ChatFailure.BackendGone.class, assertInstanceOf(ChatException.class, e.getCause()).failure());
            }
            assertEquals(1, count(LifecycleEvent.Degraded.class), "three callers saw one death: " + events);
            assertEquals(1, backend.starts(), "a failed request is not retried on its own");

            CountDownLatch go = new CountDownLatch(1);
            List<Future<ChatResponse>> next = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int caller = i;
                next.add(pool.submit(() -> {
                    go.await();
                    return model.chat(ask("again " + caller));
                }));
            }
            go.countDown();
            for (int i = 0; i < 4; i++) {
                ChatResponse r = next.get(i).get(30, TimeUnit.SECONDS);
                assertEquals("echo again " + i, r.text());
                // Each answer says which session ran it: the restarted one, not the one that died.
                assertEquals(java.util.Optional.of(backend.last().info()), r.servedBy());
            }
            assertEquals(2, backend.starts(), "one restart served every caller that came after the death");
            assertTrue(first.closed(), "the dead session was closed before the restart");
            assertNotSame(first, backend.last());
            assertEquals(2, count(LifecycleEvent.ServedBy.class));
        }
    }

    @Test
    void aFailedRestartIsABackendGoneAndTheNextRequestTriesAgain() throws Exception {
        try (RunningModel model = start()) {
            backend.last().dead(true);
            assertThrows(ChatException.class, () -> model.chat(ask("one")));
            backend.mode(Mode.START_FAILS);
            ChatException e = assertThrows(ChatException.class, () -> model.chat(ask("two")));
            assertInstanceOf(ChatFailure.BackendGone.class, e.failure());
            assertTrue(e.getMessage().contains("no backend could start the model again"), e.getMessage());
            assertInstanceOf(NoBackendStartedException.class, e.getCause());
            backend.mode(Mode.WORKS);
            assertEquals("echo three", model.chat(ask("three")).text());
            assertEquals(3, backend.starts());
        }
    }

    @Test
    void aCancelledRequestIsNotADeath() throws Exception {
        try (RunningModel model = start()) {
            Cancellation c = new Cancellation();
            c.cancel();
            assertEquals(FinishReason.CANCELLED, model.stream(ask("a b"), p -> { }, c).finishReason());
            assertEquals("echo again", model.chat(ask("again")).text());
            assertEquals(0, count(LifecycleEvent.Degraded.class));
            assertEquals(1, backend.starts());
        }
    }

    @Test
    void aContextOverflowOrServerErrorIsNotADeath() throws Exception {
        try (RunningModel model = start()) {
            backend.last().failNext(new ChatFailure.ServerError(500, "", "boom"));
            assertThrows(ChatException.class, () -> model.chat(ask("one")));
            backend.last().failNext(new ChatFailure.ContextOverflow(900, 512));
            assertThrows(ChatException.class, () -> model.chat(ask("two")));
            assertEquals("echo three", model.chat(ask("three")).text());
            assertEquals(1, backend.starts());
            assertEquals(0, count(LifecycleEvent.Degraded.class));
        }
    }

    @Test
    void closeStopsOnceAndLaterRequestsFailAsClosed() throws Exception {
        RunningModel model = start();
        FakeSession session = backend.last();
        model.close();
        model.close();
        assertTrue(session.closed());
        assertEquals(List.of("fake"), events.stream().filter(e -> e instanceof LifecycleEvent.Stopped)
                .map(LifecycleEvent::backendId).collect(Collectors.toList()));
        ChatException e = assertThrows(ChatException.class, () -> model.chat(ask("hi")));
        assertInstanceOf(ChatFailure.Closed.class, e.failure());
        assertEquals("fake", model.info().backendId(), "info still names what served");
    }

    @Test
    void aClosedDeadModelDoesNotRestart() throws Exception {
        RunningModel model = start();
        backend.last().dead(true);
        assertThrows(ChatException.class, () -> model.chat(ask("one")));
        model.close();
        ChatException e = assertThrows(ChatException.class, () -> model.chat(ask("two")));
        assertInstanceOf(ChatFailure.Closed.class, e.failure());
        assertEquals(1, backend.starts());
    }

    @Test
    void aThrowingListenerNeverReachesACaller() throws Exception {
        try (RunningModel model = RunningModel.builder().settings(Settings.empty()).spec(FakeBackend.spec(dir, 4096))
                .discovery(BackendRegistry.order(List.of(backend), List.of(), Settings.empty()))
                .listener(e -> {
                    throw new IllegalStateException("viewer bug");
                }).listener(events::add).start()) {
            backend.last().dead(true);
            ChatException e = assertThrows(ChatException.class, () -> model.chat(ask("one")));
            assertInstanceOf(ChatFailure.BackendGone.class, e.failure());
            assertEquals("echo two", model.chat(ask("two")).text());
            assertEquals(1, count(LifecycleEvent.Degraded.class), "the listener after the throwing one still hears");
        }
    }

    @Test
    void aModelOrSpecMustBeNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> RunningModel.builder().settings(Settings.empty()).start());
        assertTrue(e.getMessage().contains("set a model id"), e.getMessage());
    }

    @Test
    void aThirdPartyBackendsPerModelKeyIsAcceptedWhenItDeclaresItAndAMisspellingIsStillCaught() throws Exception {
        Settings settings = Settings.of(Map.of("snowcrash.models.dir", dir.toString(), "model.demo.colour", "blue"));
        Discovery discovery = BackendRegistry.order(List.of(backend), List.of(), Settings.empty());
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> RunningModel.builder().settings(settings).model("demo").discovery(discovery).start());
        assertTrue(e.getMessage().contains("unknown model setting 'colour'"), e.getMessage());

        FakeBackend keyed = FakeBackend.builder("fake").modelSettings(Set.of("colour")).build();
        Discovery declared = BackendRegistry.order(List.of(keyed), List.of(), Settings.empty());
        try (RunningModel model = RunningModel.builder().settings(settings).model("demo").discovery(declared).start()) {
            assertEquals("fake", model.info().backendId());
        }
        // Forcing another backend keeps every discovered backend's keys known: one configuration file serves both.
        FakeBackend other = FakeBackend.of("other", 5, Mode.WORKS);
        Discovery both = BackendRegistry.order(List.of(keyed, other), List.of(), Settings.empty());
        try (RunningModel model = RunningModel.builder().settings(settings).model("demo").discovery(both).backend("other").start()) {
            assertEquals("other", model.info().backendId());
        }
        Settings misspelt = Settings.of(Map.of("snowcrash.models.dir", dir.toString(), "model.demo.color", "blue"));
        e = assertThrows(ConfigurationException.class,
                () -> RunningModel.builder().settings(misspelt).model("demo").discovery(declared).start());
        assertTrue(e.getMessage().contains("did you mean model.demo.colour?"), e.getMessage());
    }
}
