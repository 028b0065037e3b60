package org.snowcrash.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.testkit.fake.FakeBackend;
import org.snowcrash.testkit.fake.FakeBackend.Mode;
import org.snowcrash.testkit.fake.FakeSession;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.Settings;
import org.snowcrash.registry.BackendRegistry;

/** A backend that dies mid-conversation: the viewer is told, the history is kept, the next turn recovers. */
class RecoveryTest {

    @TempDir
    Path dir;

    private final FakeBackend first = FakeBackend.of("first", 20, Mode.WORKS);
    private final FakeBackend second = FakeBackend.of("second", 10, Mode.WORKS);
    private final List<AgentEvent> events = new CopyOnWriteArrayList<>();

    private Agent agent(Settings settings, Recovery recovery) throws Exception {
        Agent.Builder b = Agent.builder().settings(settings).spec(FakeBackend.spec(dir, 4096))
                .discovery(BackendRegistry.order(List.of(first, second), List.of(), Settings.empty()))
                .listener(events::add);
        if (recovery != null) {
            b.recovery(recovery);
        }
        return b.start();
    }

    /** The session serving the agent now, as the fake backend that started it recorded it. */
    private FakeSession session(Agent a) {
        return (a.info().backendId().equals(first.id()) ? first : second).last();
    }

    private void die(Agent a) throws Exception {
        session(a).failNext(new ChatFailure.BackendGone("container exited with code 137"));
        ChatException e = assertThrows(ChatException.class, () -> a.ask("two"));
        assertInstanceOf(ChatFailure.BackendGone.class, e.failure());
    }

    private List<String> lifecycle(Class<? extends LifecycleEvent> type) {
        return events.stream().filter(e -> e instanceof AgentEvent.Lifecycle)
                .map(e -> ((AgentEvent.Lifecycle) e).event()).filter(type::isInstance)
                .map(LifecycleEvent::backendId).collect(Collectors.toList());
    }

    @Test
    void restartStartsTheSameBackendAgainAndKeepsTheHistory() throws Exception {
        try (Agent a = agent(Settings.empty(), null)) {
            a.ask("one");
            FakeSession dead = session(a);
            die(a);
            assertEquals(List.of("first"), lifecycle(LifecycleEvent.Degraded.class));
            assertEquals("echo three", a.ask("three").text());
            assertTrue(dead.closed(), "the dead session was closed (its container removed)");
            assertEquals(2, first.starts());
            assertEquals("first", a.info().backendId());
            assertEquals(List.of("first", "first"), lifecycle(LifecycleEvent.ServedBy.class));
            assertEquals(List.of(ChatMessage.user("one"), ChatMessage.assistant("echo one"),
                    ChatMessage.user("three"), ChatMessage.assistant("echo three")), a.history());
            assertEquals(List.of(ChatMessage.user("one"), ChatMessage.assistant("echo one"), ChatMessage.user("three")),
                    session(a).lastRequest().messages(), "the restarted model gets the kept history");
        }
    }

    @Test
    void nextFallsOverToTheNextBackendAndSaysWhichServes() throws Exception {
        try (Agent a = agent(Settings.of(Map.of("snowcrash.agent.recovery", "next")), null)) {
            a.ask("one");
            die(a);
            a.ask("three");
            assertEquals(1, first.starts());
            assertEquals("second", a.info().backendId());
            assertEquals(List.of("first", "second"), lifecycle(LifecycleEvent.ServedBy.class));
        }
    }

    @Test
    void noneKeepsFailingWithAClearReason() throws Exception {
        try (Agent a = agent(Settings.empty(), Recovery.NONE)) {
            die(a);
            ChatException e = assertThrows(ChatException.class, () -> a.ask("three"));
            assertTrue(e.getMessage().contains("recovery is off"), e.getMessage());
            assertEquals(1, first.starts());
        }
    }

    @Test
    void aCancelledTurnIsNotADeath() throws Exception {
        try (Agent a = agent(Settings.empty(), null)) {
            a.ask("a b c d e f", piece -> a.cancel());
            a.ask("again");
            assertEquals(1, first.starts());
            assertTrue(lifecycle(LifecycleEvent.Degraded.class).isEmpty());
        }
    }

    @Test
    void aBadRecoveryValueIsAConfigurationError() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> agent(Settings.of(Map.of("snowcrash.agent.recovery", "pray")), null));
        assertTrue(e.getMessage().contains("snowcrash.agent.recovery=pray"), e.getMessage());
    }
}
