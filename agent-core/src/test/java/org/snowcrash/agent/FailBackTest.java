package org.snowcrash.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.testkit.fake.FakeBackend;
import org.snowcrash.testkit.fake.FakeBackend.Mode;
import org.snowcrash.testkit.fake.FakeSession;
import org.snowcrash.testkit.fake.Hold;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.Settings;
import org.snowcrash.registry.BackendRegistry;

/**
 * Fail-back: a model that fell to a lower backend moves back to the preferred one once it can
 * serve again, without costing a turn a start and without cutting a request in flight. The real
 * version (a remote server on another host whose cable is plugged back in) is in
 * {@code CliRemoteAcrossHostsTest}; here the preferred backend's coming back is a fake's switch.
 */
class FailBackTest {

    private static final Duration INTERVAL = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    private final FakeBackend preferred = FakeBackend.of("preferred", 30, Mode.UNAVAILABLE);
    private final FakeBackend lower = FakeBackend.of("lower", 10, Mode.WORKS);
    private final List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
    private final CountDownLatch back = new CountDownLatch(1);
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() throws Exception {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    private final ManualClock clock = new ManualClock();

    private RunningModel start(FailBack failBack) throws Exception {
        return RunningModel.builder().settings(Settings.empty()).spec(FakeBackend.spec(dir, 4096))
                .discovery(BackendRegistry.order(List.of(preferred, lower), List.of(), Settings.empty()))
                .failBack(failBack).clock(clock)
                .listener(e -> {
                    events.add(e);
                    if (e instanceof LifecycleEvent.ServedBy s && s.backendId().equals("preferred")) {
                        back.countDown();
                    }
                }).start();
    }

    private static ChatRequest ask(String text) {
        return ChatRequest.of(List.of(ChatMessage.user(text)), 100);
    }

    /** Waits for the fail-back tries running now to end (their threads are named for the model). */
    private static void joinTries() throws InterruptedException {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("snowcrash-fail-back-")) {
                t.join(TimeUnit.SECONDS.toMillis(10));
                assertFalse(t.isAlive(), "a fail-back try did not end");
            }
        }
    }

    /** One request after the interval has passed: it starts the try that moves the model back. */
    private void askAfterTheInterval(RunningModel model) throws Exception {
        clock.advance(INTERVAL);
        model.chat(ask("again"));
        assertTrue(back.await(10, TimeUnit.SECONDS), "never moved back; events: " + events);
    }

    @Test
    void offByDefaultTheModelStaysWhereItFell() throws Exception {
        try (RunningModel model = RunningModel.builder().settings(Settings.empty()).spec(FakeBackend.spec(dir, 4096))
                .discovery(BackendRegistry.order(List.of(preferred, lower), List.of(), Settings.empty())).start()) {
            assertEquals("lower", model.info().backendId());
            preferred.mode(Mode.WORKS);
            for (int i = 0; i < 20; i++) {
                model.chat(ask("hello"));
            }
            assertEquals("lower", model.info().backendId());
            assertEquals(0, preferred.starts(), "nothing tried the preferred backend");
        }
    }

    @Test
    void aPreferredBackendThatComesBackServesTheNextRequestsAndTheOldSessionIsClosed() throws Exception {
        try (RunningModel model = start(FailBack.every(INTERVAL))) {
            assertEquals("lower", model.info().backendId());
            int startEvents = events.size();
            // Still unavailable: a try happens in the background and publishes nothing.
            clock.advance(INTERVAL);
            assertEquals("echo still down", model.chat(ask("still down")).text());
            joinTries();
            assertEquals(startEvents, events.size(), "a try that does not start publishes nothing: " + events);
            assertEquals(0, preferred.starts());

            // Back, but the interval counts from the last try: no try yet.
            preferred.mode(Mode.WORKS);
            clock.advance(INTERVAL.minusSeconds(1));
            model.chat(ask("too soon"));
            joinTries();
            assertEquals(0, preferred.starts(), "within the interval of the last try, nothing is tried");
            assertEquals("lower", model.info().backendId());

            askAfterTheInterval(model);
            assertEquals("preferred", model.info().backendId());
            assertEquals(1, preferred.starts(), "one start for one move back");
            ChatResponse r = model.chat(ask("where"));
            assertEquals("echo where", r.text());
            assertEquals(List.of(ChatMessage.user("where")), preferred.last().lastRequest().messages(), "the request went to the preferred backend");
            assertTrue(lower.last().closed(), "the lower backend's session was closed (nothing was in flight on it)");
            assertEquals(List.of("Starting", "Ready", "ServedBy"), events.subList(startEvents, events.size()).stream()
                    .map(e -> e.getClass().getSimpleName()).toList());
        }
    }

    @Test
    void countingPromptTokensNeverMovesTheModelSoATurnIsPlannedAndSentOnOneBackend() throws Exception {
        try (RunningModel model = start(FailBack.every(INTERVAL))) {
            preferred.mode(Mode.WORKS);
            clock.advance(INTERVAL);
            for (int i = 0; i < 50; i++) {
                model.countPromptTokens(List.of(ChatMessage.user("how long is this")));
            }
            joinTries();
            assertEquals(0, preferred.starts(), "no try from counting");
            assertEquals("lower", model.info().backendId());
            askAfterTheInterval(model);
            assertEquals("preferred", model.info().backendId());
        }
    }

    @Test
    void aRequestInFlightOnTheOldSessionEndsThereAndOnlyThenIsItClosed() throws Exception {
        try (RunningModel model = start(FailBack.every(INTERVAL))) {
            preferred.mode(Mode.WORKS);
            clock.advance(INTERVAL);
            FakeSession old = lower.last();
            Hold inside = lower.holdRequests(old.info().modelId());
            // This request starts the try, then waits inside the old session until the move is done.
            Future<ChatResponse> held = pool.submit(() -> model.chat(ask("held")));
            assertTrue(back.await(10, TimeUnit.SECONDS), "moved back while the request was held: " + events);
            assertFalse(old.closed(), "the old session is not closed under a request in flight");
            inside.awaitEntered(1);
            inside.release();
            assertEquals("echo held", held.get(10, TimeUnit.SECONDS).text(), "the held request was answered by the old session");
            assertTrue(old.closed(), "closed once its last request ended");
            assertEquals("preferred", model.info().backendId());
            assertEquals("echo next", model.chat(ask("next")).text());
        }
    }

    @Test
    void theIntervalIsReadFromConfigurationAndABadValueSaysWhatItTakes() {
        assertEquals(FailBack.OFF, FailBack.configured(Settings.empty()));
        assertEquals(FailBack.OFF, FailBack.configured(Settings.of(Map.of("snowcrash.agent.fail-back", "off"))));
        assertEquals(Duration.ofMinutes(2), FailBack.configured(Settings.of(Map.of("snowcrash.agent.fail-back", "2m"))).interval());
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> FailBack.configured(Settings.of(Map.of("snowcrash.agent.fail-back", "soon"))));
        assertTrue(e.getMessage().contains("snowcrash.agent.fail-back") && e.getMessage().contains("must be off or a positive duration"),
                e.getMessage());
        assertThrows(ConfigurationException.class, () -> FailBack.configured(Settings.of(Map.of("snowcrash.agent.fail-back", "0s"))));
    }
}
