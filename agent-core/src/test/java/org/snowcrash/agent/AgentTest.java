package org.snowcrash.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.testkit.fake.FakeBackend;
import org.snowcrash.testkit.fake.FakeBackend.Mode;
import org.snowcrash.testkit.fake.FakeSession;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.Settings;
import org.snowcrash.registry.BackendRegistry;

class AgentTest {

    @TempDir
    Path dir;

    private final FakeBackend llamacpp = FakeBackend.of("llamacpp", 10, Mode.WORKS);

    private Agent agent(int contextSize, int maxTokens, List<AgentEvent> events) throws Exception {
        return Agent.builder()
                .settings(Settings.empty())
                .spec(FakeBackend.spec(dir, contextSize))
                .discovery(BackendRegistry.order(List.of(FakeBackend.of("docker", 20, Mode.UNAVAILABLE),
                        llamacpp), List.of(), Settings.empty()))
                .systemPrompt("You are a robot.")
                .maxTokens(maxTokens)
                .listener(events::add)
                .start();
    }

    @Test
    void keepsTheConversationAndStreamsToSinkAndListeners() throws Exception {
        List<AgentEvent> events = new CopyOnWriteArrayList<>();
        try (Agent a = agent(4096, 100, events)) {
            StringBuilder streamed = new StringBuilder();
            ChatResponse r = a.ask("hello there", streamed::append);
            assertEquals("echo hello there", r.text());
            assertEquals(r.text(), streamed.toString());
            a.ask("again");
            assertEquals(List.of(ChatMessage.user("hello there"), ChatMessage.assistant("echo hello there"),
                    ChatMessage.user("again"), ChatMessage.assistant("echo again")), a.history());
            FakeSession s = (FakeSession) sessionOf(a);
            assertEquals(ChatMessage.system("You are a robot."), s.lastRequest().messages().get(0));
            assertEquals(4, s.lastRequest().messages().size());
            String tokens = events.stream().filter(e -> e instanceof AgentEvent.Token)
                    .map(e -> ((AgentEvent.Token) e).text()).reduce("", String::concat);
            assertEquals("echo hello thereecho again", tokens);
            assertEquals(2, events.stream().filter(e -> e instanceof AgentEvent.TurnFinished).count());
            String sentences = events.stream().filter(e -> e instanceof AgentEvent.Sentence)
                    .map(e -> ((AgentEvent.Sentence) e).text()).reduce("", String::concat);
            assertEquals(tokens, sentences, "the sentence events carry the whole text");
            assertTrue(events.stream().anyMatch(e -> e instanceof AgentEvent.Lifecycle
                    && ((AgentEvent.Lifecycle) e).event() instanceof LifecycleEvent.Fallback
                    && ((AgentEvent.Lifecycle) e).event().backendId().equals("docker")));
            assertTrue(events.stream().anyMatch(e -> e instanceof AgentEvent.Lifecycle
                    && ((AgentEvent.Lifecycle) e).event() instanceof LifecycleEvent.ServedBy
                    && ((AgentEvent.Lifecycle) e).event().backendId().equals("llamacpp")));
            assertEquals("llamacpp", a.info().backendId());
        }
    }

    @Test
    void trimsOldestTurnsToFitTheContext() throws Exception {
        List<AgentEvent> events = new CopyOnWriteArrayList<>();
        // Fake tokens: characters + 4 per message. Budget: 200 - 20 = 180 prompt tokens.
        try (Agent a = agent(200, 20, events)) {
            for (int i = 0; i < 10; i++) {
                a.ask("question number " + i + " with some padding text");
                FakeSession s = (FakeSession) sessionOf(a);
                int prompt = s.countPromptTokens(s.lastRequest().messages());
                assertTrue(prompt + s.lastRequest().maxTokens() <= 200, "turn " + i + ": " + prompt + " + " + s.lastRequest().maxTokens());
                assertEquals(ChatMessage.Role.SYSTEM, s.lastRequest().messages().get(0).role());
                assertEquals(ChatMessage.user("question number " + i + " with some padding text"),
                        s.lastRequest().messages().get(s.lastRequest().messages().size() - 1));
                // Never an answer without its question: after the system prompt comes a user message.
                assertEquals(ChatMessage.Role.USER, s.lastRequest().messages().get(1).role());
            }
            assertTrue(events.stream().anyMatch(e -> e instanceof AgentEvent.TurnFinished
                    && ((AgentEvent.TurnFinished) e).droppedMessages() > 0));
            FakeSession s = (FakeSession) sessionOf(a);
            List<ChatMessage> seen = new java.util.ArrayList<>(s.lastRequest().messages().subList(1, s.lastRequest().messages().size()));
            seen.add(ChatMessage.assistant("echo question number 9 with some padding text"));
            assertEquals(seen, a.history(), "what was trimmed is forgotten: the history is what the model saw last, and its answer");
            assertTrue(a.history().size() < 20);
        }
    }

    @Test
    void aPromptThatCannotFitIsAContextOverflow() throws Exception {
        try (Agent a = agent(40, 5, new CopyOnWriteArrayList<>())) {
            ChatException e = assertThrows(ChatException.class, () -> a.ask("x".repeat(100)));
            assertInstanceOf(ChatFailure.ContextOverflow.class, e.failure());
            assertEquals(40, ((ChatFailure.ContextOverflow) e.failure()).contextSize());
            assertTrue(a.history().isEmpty());
        }
    }

    @Test
    void aFailedTurnLeavesTheHistoryAsItWas() throws Exception {
        List<AgentEvent> events = new CopyOnWriteArrayList<>();
        try (Agent a = agent(4096, 50, events)) {
            a.ask("one");
            ((FakeSession) sessionOf(a)).failNext(new ChatFailure.BackendGone("container died"));
            ChatException e = assertThrows(ChatException.class, () -> a.ask("two"));
            assertInstanceOf(ChatFailure.BackendGone.class, e.failure());
            assertEquals(2, a.history().size());
            assertTrue(events.stream().anyMatch(ev -> ev instanceof AgentEvent.TurnFailed));
            assertEquals("echo three", a.ask("three").text());
        }
    }

    @Test
    void cancelEndsTheTurnAsCancelledNotAsAnError() throws Exception {
        try (Agent a = agent(4096, 100, new CopyOnWriteArrayList<>())) {
            ChatResponse r = a.ask("a b c d e f g h i j k l m n o p", piece -> {
                if (piece.contains("c")) {
                    a.cancel();
                }
            });
            assertEquals(FinishReason.CANCELLED, r.finishReason());
            assertTrue(r.text().length() < "echo a b c d e f g h i j k l m n o p".length());
        }
    }

    @Test
    void closeClosesTheSessionAndRefusesMore() throws Exception {
        Agent a = agent(4096, 10, new CopyOnWriteArrayList<>());
        FakeSession s = (FakeSession) sessionOf(a);
        a.close();
        a.close();
        assertTrue(s.closed());
        assertThrows(IllegalStateException.class, () -> a.ask("hi"));
    }

    /** The session serving the agent, as the fake backend that started it recorded it. */
    private org.snowcrash.api.ModelSession sessionOf(Agent a) {
        assertEquals("llamacpp", a.info().backendId());
        return llamacpp.last();
    }
}
