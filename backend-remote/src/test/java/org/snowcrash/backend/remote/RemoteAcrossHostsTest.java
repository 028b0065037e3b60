package org.snowcrash.backend.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.snowcrash.agent.Agent;
import org.snowcrash.agent.AgentEvent;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.registry.Candidate;
import org.snowcrash.registry.Discovery;

/**
 * Two GPU servers on two other hosts (network namespaces, each with a real llama-server), the
 * client on this machine, and the network failing for real: a cable pulled mid-stream, a server
 * killed, a cable plugged back in. Requests are counted on the servers (a line in their logs per
 * generation), so "none lost, none duplicated" is checked where it happens. Needs root.
 */
@Tag("root") // ip netns and chroot need root: .ci/run runs this tag as root
class RemoteAcrossHostsTest {

    private static final String KEY = "fleet-key";
    /**
     * The allowed silence when a cut is to be noticed: longer than the time to a first token of
     * a short prompt on a busy two-core machine (llama-server sends nothing meanwhile).
     */
    private static final Duration IDLE = Duration.ofSeconds(5);
    private static final Duration COOLDOWN = Duration.ofSeconds(60);
    /** Time to notice a cut link beyond the idle timeout itself: the last read, the error's way up. */
    private static final Duration MARGIN = Duration.ofSeconds(3);

    @TempDir
    static Path dir;

    private static Path model;

    private NetworkHost gpu1;
    private NetworkHost gpu2;
    private NetworkHost.Server s1;
    private NetworkHost.Server s2;

    @BeforeAll
    static void model() throws Exception {
        NetworkHost.assumeAvailable();
        // The demo model: quick to a first token even on a busy machine, and a 1500-token answer
        // (it does not stop by itself at temperature 0) is still streaming when the cable is
        // pulled on its first piece.
        model = dir.resolve("demo.gguf");
        TinyLlama.demo().write(model);
    }

    @BeforeEach
    void hosts() throws Exception {
        gpu1 = NetworkHost.create();
        gpu2 = NetworkHost.create();
        s1 = gpu1.serve(model, "demo", KEY, 8080, "-c", "2048");
        s2 = gpu2.serve(model, "demo", KEY, 8080, "-c", "2048");
    }

    @AfterEach
    void removeHosts() {
        if (gpu1 != null) {
            gpu1.close();
        }
        if (gpu2 != null) {
            gpu2.close();
        }
    }

    private static Settings settings(String endpoints) {
        return settings(endpoints, IDLE);
    }

    /** With an idle timeout for tests that are not about noticing silence (several requests share two cores). */
    private static Settings patient(String endpoints) {
        return settings(endpoints, Duration.ofSeconds(60));
    }

    private static Settings settings(String endpoints, Duration idle) {
        Map<String, String> m = new HashMap<>();
        m.put("backend.remote.endpoints", endpoints);
        m.put("backend.remote.api-key", KEY);
        m.put("backend.remote.idle-timeout", idle.toMillis() + "ms");
        m.put("backend.remote.connect-timeout", "1s");
        m.put("backend.remote.cooldown", COOLDOWN.toSeconds() + "s");
        return Settings.of(m, "test");
    }

    private static ModelSpec spec() {
        return ModelSpec.builder("demo", model).contextSize(2048).build();
    }

    private static ChatRequest shortRequest(String text) {
        return ChatRequest.of(List.of(ChatMessage.user(text)), 4).withTemperature(0);
    }

    /** Only this backend instance, so a test can move its clock. */
    private static Discovery only(RemoteBackend backend) {
        return new Discovery(List.of(new Candidate(backend, 30, "test", true)), List.of());
    }

    @Test
    void aHealthyRemoteOnAnotherHostServes() throws Exception {
        List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
        try (RunningModel m = RunningModel.builder().settings(patient(s1.url())).spec(spec()).listener(events::add).start()) {
            assertEquals("remote", m.info().backendId());
            assertEquals(2048, m.info().contextSize());
            assertEquals(4, m.chat(shortRequest("hello")).usage().completionTokens());
        }
        assertTrue(events.contains(new LifecycleEvent.ServedBy("remote", "demo")), events.toString());
        assertEquals(1, s1.generations());
    }

    @Test
    void aLinkCutMidStreamFailsWithinTheIdleTimeoutKeepsTheConversationAndTheNextTurnGoesToTheOtherHost() throws Exception {
        List<AgentEvent> events = new CopyOnWriteArrayList<>();
        try (Agent agent = Agent.builder().settings(settings(s1.url() + "," + s2.url())).spec(spec()).maxTokens(1500)
                .temperature(0).listener(events::add).start()) {
            // A short first exchange (cancelled after a few pieces, which keeps it in the history) so
            // that the next prompt is short: the second turn's first piece comes quickly even on a
            // busy machine, and it is that piece which pulls the cable.
            AtomicInteger first = new AtomicInteger();
            agent.ask("first", p -> {
                if (first.incrementAndGet() == 3) {
                    agent.cancel();
                }
            });
            assertEquals(1, s1.generations(), "both idle: the first endpoint takes it");
            assertEquals(2, agent.history().size());

            AtomicInteger pieces = new AtomicInteger();
            AtomicLong cutAt = new AtomicLong();
            ChatException e = assertThrows(ChatException.class, () -> agent.ask("second", p -> {
                if (pieces.incrementAndGet() == 1) {
                    try {
                        gpu1.cutLink();
                    } catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                    cutAt.set(System.nanoTime());
                }
            }));
            Duration noticed = Duration.ofNanos(System.nanoTime() - cutAt.get());
            assertTrue(pieces.get() > 0, "the cable is pulled on the first piece, but none came: " + e.getMessage()
                    + "\ngpu1's log:\n" + s1.logTail(30));
            assertEquals(new ChatFailure.Timeout(IDLE), e.failure(), e.getMessage());
            assertTrue(e.getMessage().startsWith("remote (model demo, " + s1.url() + "): "), e.getMessage());
            assertTrue(noticed.compareTo(IDLE.plus(MARGIN)) < 0, "noticed " + noticed.toMillis() + " ms after the cut");
            assertTrue(events.stream().anyMatch(ev -> ev instanceof AgentEvent.Lifecycle l
                    && l.event() instanceof LifecycleEvent.Degraded d && d.backendId().equals("remote")), events.toString());
            assertEquals(2, agent.history().size(), "the failed turn left the conversation as it was");

            int before = s2.generations();
            assertTrue(agent.ask("third", p -> agent.cancel()).text().length() > 0);
            assertEquals(before + 1, s2.generations(), "the next turn is served by the other host");
            assertEquals(4, agent.history().size());
            assertEquals(2, events.stream().filter(ev -> ev instanceof AgentEvent.Lifecycle l
                    && l.event() instanceof LifecycleEvent.ServedBy).count(), "restarted on remote: " + events);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"its server killed", "its cable pulled"})
    void twoEndpointsOneDeadEveryRequestIsAnsweredByTheLiveOneOnce(String how) throws Exception {
        try (ModelSession s = new RemoteBackend().start(spec(), BackendContext.of(patient(s1.url() + "," + s2.url())))) {
            int g1 = s1.generations();
            int g2 = s2.generations();
            if (how.contains("killed")) {
                s1.kill();
            } else {
                gpu1.cutLink();
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Integer>> answers = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    String q = "question " + i;
                    answers.add(pool.submit(() -> s.stream(shortRequest(q), p -> { }, new Cancellation()).usage().completionTokens()));
                }
                for (Future<Integer> a : answers) {
                    assertEquals(4, a.get(60, TimeUnit.SECONDS), "every request answered in full");
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(12, s2.generations() - g2, "the live one ran each request exactly once");
            assertEquals(0, s1.generations() - g1, "the dead one ran none");
        }
    }

    @Test
    void afterTheCooldownTheReTestOfARestoredLinkBringsTrafficBack() throws Exception {
        ManualClock clock = new ManualClock();
        RemoteBackend backend = new RemoteBackend(clock);
        try (ModelSession s = backend.start(spec(), BackendContext.of(patient(s1.url() + "," + s2.url())))) {
            gpu1.cutLink();
            assertEquals(4, s.chat(shortRequest("while cut")).usage().completionTokens(), "moved to gpu2 after the connect timeout");
            gpu1.restoreLink();
            s.chat(shortRequest("cooling down"));
            s.chat(shortRequest("still cooling down"));
            assertEquals(0, s1.generations(), "left alone during the cool-down");
            assertEquals(3, s2.generations());
            clock.advance(COOLDOWN);
            s.chat(shortRequest("the re-test"));
            assertEquals(1, s1.generations(), "one real request re-tests it");
            s.chat(shortRequest("back"));
            assertEquals(2, s1.generations(), "healthy again, it takes traffic again");
            assertEquals(3, s2.generations());
        }
    }

    @Test
    void aRuntimeWhoseOnlyRemoteWasCutServesFromItAgainOnceTheLinkIsBackAndCooledDown() throws Exception {
        ManualClock clock = new ManualClock();
        RemoteBackend backend = new RemoteBackend(clock);
        List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
        try (RunningModel m = RunningModel.builder().settings(settings(s1.url())).spec(spec()).discovery(only(backend))
                .listener(events::add).start()) {
            AtomicInteger pieces = new AtomicInteger();
            ChatException e = assertThrows(ChatException.class, () -> m.stream(
                    ChatRequest.of(List.of(ChatMessage.user("go on")), 1500).withTemperature(0), p -> {
                        if (pieces.incrementAndGet() == 1) {
                            try {
                                gpu1.cutLink();
                            } catch (Exception ex) {
                                throw new IllegalStateException(ex);
                            }
                        }
                    }, new Cancellation()));
            assertInstanceOf(ChatFailure.Timeout.class, e.failure());
            // Still cooling down: the restart finds no endpoint to ask, and says so.
            ChatException during = assertThrows(ChatException.class, () -> m.chat(shortRequest("during")));
            assertTrue(during.getMessage().contains("cooling down"), during.getMessage());
            gpu1.restoreLink();
            clock.advance(COOLDOWN);
            assertEquals(4, m.chat(shortRequest("after")).usage().completionTokens());
            assertEquals("remote", m.info().backendId());
            assertEquals(2, events.stream().filter(ev -> ev instanceof LifecycleEvent.ServedBy).count(), events.toString());
            assertEquals(2, s1.generations(), "the cut one and the one after");
        }
    }
}
