package org.snowcrash.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.testkit.fake.FakeBackend;
import org.snowcrash.testkit.fake.FakeBackend.Mode;
import org.snowcrash.testkit.fake.FakeSession;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.Settings;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolSpec;
import org.snowcrash.api.Usage;
import org.snowcrash.registry.BackendRegistry;

/**
 * The agent's tool loop: calls run, results go back, steps are bounded, a failing tool is a result,
 * an invalid call is never run, the tools count in the budget. The model's choices are scripted
 * (a real model cannot be made to misbehave on cue); the demo model's real choices are tested in
 * the command-line tests.
 */
class AgentToolsTest {

    @TempDir
    Path dir;

    private final FakeBackend llamacpp = FakeBackend.builder("llamacpp").priority(10)
            .capabilities(Set.of(Capability.TOOLS, Capability.JSON_SCHEMA)).build();
    private final List<String> moves = new CopyOnWriteArrayList<>();
    private final List<AgentEvent> events = new CopyOnWriteArrayList<>();

    private static final ToolSpec MOVE_SPEC = ToolSpec.of("move", "Drive straight.", """
            {"type":"object","properties":{"direction":{"enum":["forward","backward"]},"meters":{"type":"number"}},
             "required":["direction","meters"]}""");

    private final AgentTool move = AgentTool.of(MOVE_SPEC, args -> {
        if (args.number("meters") > 10) {
            throw new IllegalStateException("too far: the wall is 10 meters away");
        }
        moves.add(args.string("direction") + " " + args.number("meters"));
        return "would move " + args.string("direction") + " " + args.number("meters") + " meters";
    });

    private Agent agent(int contextSize, Agent.Builder extra) {
        return extra.settings(Settings.empty())
                .discovery(BackendRegistry.order(List.of(llamacpp), List.of(), Settings.empty()))
                .systemPrompt("You are a robot.")
                .maxTokens(50)
                .tool(move)
                .listener(events::add)
                .start();
    }

    private Agent agent() throws Exception {
        return agent(4096, Agent.builder().spec(FakeBackend.spec(dir, 4096)));
    }

    private static ChatResponse calls(ToolCall... calls) {
        return new ChatResponse("", FinishReason.TOOL_CALLS, new Usage(1, 1), Duration.ofMillis(1), List.of(calls), "");
    }

    private static ChatResponse text(String text) {
        return new ChatResponse(text, FinishReason.STOP, new Usage(1, 1), Duration.ofMillis(1));
    }

    private static ToolCall move(String id, String args) {
        return new ToolCall(id, "move", args);
    }

    @Test
    void runsTheCallAndHandsTheResultBackUntilTheModelAnswers() throws Exception {
        try (Agent a = agent()) {
            FakeSession s = llamacpp.last();
            s.script(calls(move("c1", "{\"direction\":\"forward\",\"meters\":2}")));
            s.script(text("I moved forward 2 meters."));
            StringBuilder spoken = new StringBuilder();
            ChatResponse r = a.ask("Drive forward two meters", spoken::append);

            assertEquals("I moved forward 2 meters.", r.text());
            assertEquals("I moved forward 2 meters.", spoken.toString());
            assertEquals(List.of("forward 2.0"), moves);
            assertEquals(2, s.requests().size());
            ChatRequest first = s.requests().get(0);
            assertEquals(List.of(MOVE_SPEC), first.tools());
            assertEquals(ToolChoice.AUTO, first.toolChoice());
            List<ChatMessage> second = s.requests().get(1).messages();
            assertEquals(ChatMessage.toolResult("c1", "would move forward 2.0 meters"), second.get(second.size() - 1));
            assertTrue(second.get(second.size() - 2).hasToolCalls());

            List<AgentEvent> toolEvents = events.stream()
                    .filter(e -> e instanceof AgentEvent.ToolCalled || e instanceof AgentEvent.ToolResult).toList();
            assertEquals(List.of(new AgentEvent.ToolCalled(move("c1", "{\"direction\":\"forward\",\"meters\":2}")),
                    new AgentEvent.ToolResult(move("c1", "{\"direction\":\"forward\",\"meters\":2}"),
                            "would move forward 2.0 meters", false)), toolEvents);
            // The whole exchange is kept: question, call, result, answer.
            List<ChatMessage> history = a.history();
            assertEquals(4, history.size());
            assertEquals(ChatMessage.Role.TOOL, history.get(2).role());
            assertEquals(ChatMessage.assistant("I moved forward 2 meters."), history.get(3));

            // The next question sends the earlier exchange whole, calls included.
            s.script(text("Hello."));
            a.ask("hi");
            List<ChatMessage> third = s.requests().get(2).messages();
            assertEquals(6, third.size());
            assertEquals(history, third.subList(1, 5));
        }
    }

    @Test
    void aToolThatThrowsIsAResultTheModelReadsNotAFailedTurn() throws Exception {
        try (Agent a = agent()) {
            FakeSession s = llamacpp.last();
            s.script(calls(move("c1", "{\"direction\":\"forward\",\"meters\":20}")));
            s.script(text("I could not: a wall."));
            ChatResponse r = a.ask("Drive forward twenty meters");
            assertEquals("I could not: a wall.", r.text());
            assertTrue(moves.isEmpty());
            AgentEvent.ToolResult result = events.stream().filter(e -> e instanceof AgentEvent.ToolResult)
                    .map(e -> (AgentEvent.ToolResult) e).findFirst().orElseThrow();
            assertTrue(result.failed());
            assertEquals("error: too far: the wall is 10 meters away", result.result());
            List<ChatMessage> sent = s.requests().get(1).messages();
            assertEquals("error: too far: the wall is 10 meters away", sent.get(sent.size() - 1).content());
        }
    }

    @Test
    void aModelThatKeepsCallingIsToldToAnswerAfterTheBound() throws Exception {
        try (Agent a = agent(4096, Agent.builder().spec(FakeBackend.spec(dir, 4096)).maxToolSteps(2))) {
            FakeSession s = llamacpp.last();
            s.script(calls(move("c1", "{\"direction\":\"forward\",\"meters\":1}")));
            s.script(calls(move("c2", "{\"direction\":\"forward\",\"meters\":1}")));
            s.script(text("Done."));
            a.ask("keep driving");
            assertEquals(3, s.requests().size());
            assertEquals(List.of(ToolChoice.AUTO, ToolChoice.AUTO, ToolChoice.NONE),
                    s.requests().stream().map(ChatRequest::toolChoice).toList());
            assertEquals(2, moves.size());
        }
    }

    @Test
    void anInvalidCallIsNeverRunAndTheModelIsAskedAgainOnce() throws Exception {
        try (Agent a = agent()) {
            FakeSession s = llamacpp.last();
            s.script(calls(move("bad", "{\"direction\":\"sideways\",\"meters\":1}")));
            s.script(calls(move("c2", "{\"direction\":\"backward\",\"meters\":1}")));
            s.script(text("I backed up."));
            ChatResponse r = a.ask("back up a meter");
            assertEquals("I backed up.", r.text());
            assertEquals(List.of("backward 1.0"), moves);
            AgentEvent.AnswerRejected rejected = events.stream().filter(e -> e instanceof AgentEvent.AnswerRejected)
                    .map(e -> (AgentEvent.AnswerRejected) e).findFirst().orElseThrow();
            assertTrue(rejected.problem().contains("move"), rejected.problem());
            // The re-ask tells the model what was wrong; the history keeps only what was acted on.
            List<ChatMessage> reask = s.requests().get(1).messages();
            assertTrue(reask.get(reask.size() - 1).content().startsWith("That answer was not valid: "), reask.toString());
            assertFalse(a.history().stream().anyMatch(m -> m.content().startsWith("That answer was not valid")));
            assertEquals(4, a.history().size());
        }
    }

    @Test
    void whenTheReAsksRunOutTheTurnFailsAndNothingRan() throws Exception {
        try (Agent a = agent(4096, Agent.builder().spec(FakeBackend.spec(dir, 4096)).maxReasks(0))) {
            FakeSession s = llamacpp.last();
            s.script(calls(move("bad", "{\"meters\":1}")));
            ChatException e = assertThrows(ChatException.class, () -> a.ask("go"));
            ChatFailure.InvalidAnswer invalid = assertInstanceOf(ChatFailure.InvalidAnswer.class, e.failure());
            assertTrue(invalid.what().contains("direction"), invalid.what());
            assertTrue(moves.isEmpty());
            assertTrue(a.history().isEmpty());
            assertTrue(events.stream().anyMatch(ev -> ev instanceof AgentEvent.TurnFailed));
        }
    }

    @Test
    void reasoningGoesToListenersAloneNeverToTheAnswerOrSpeech() throws Exception {
        try (Agent a = agent()) {
            llamacpp.last().script(new ChatResponse("Hello.", FinishReason.STOP, new Usage(1, 1), Duration.ofMillis(1),
                    List.of(), "The user greets me."));
            StringBuilder spoken = new StringBuilder();
            ChatResponse r = a.ask("hi", spoken::append);
            assertEquals("Hello.", spoken.toString());
            assertEquals("The user greets me.", r.reasoning());
            assertEquals(List.of(new AgentEvent.Reasoning("The user greets me.")),
                    events.stream().filter(e -> e instanceof AgentEvent.Reasoning).toList());
            assertEquals(List.of(new AgentEvent.Sentence("Hello.")),
                    events.stream().filter(e -> e instanceof AgentEvent.Sentence).toList());
        }
    }

    @Test
    void cancellingWhileAToolRunsEndsTheTurnAndKeepsWhatHappened() throws Exception {
        Agent[] self = new Agent[1];
        AgentTool stop = AgentTool.of(ToolSpec.of("stop", "Stop.", "{\"type\":\"object\",\"properties\":{}}"), args -> {
            self[0].cancel();
            return "stopped";
        });
        try (Agent a = agent(4096, Agent.builder().spec(FakeBackend.spec(dir, 4096)).tool(stop))) {
            self[0] = a;
            llamacpp.last().script(calls(new ToolCall("c1", "stop", "{}")));
            ChatResponse r = a.ask("stop");
            assertEquals(FinishReason.CANCELLED, r.finishReason());
            assertEquals(1, llamacpp.last().requests().size(), "nothing is asked after the cancel");
            // What happened is kept: the question, the call, its result, and no answer.
            List<ChatMessage> history = a.history();
            assertEquals(4, history.size(), history.toString());
            assertEquals(ChatMessage.toolResult("c1", "stopped"), history.get(2));
            assertEquals(ChatMessage.assistant(""), history.get(3));
        }
    }

    @Test
    void theToolsCountInTheBudgetAndAContextTheyFillIsAClearError() throws Exception {
        // The fake counts a character per token; the default count of tools adds their schema text.
        ChatException e = assertThrows(ChatException.class, () -> {
            try (Agent a = agent(120, Agent.builder().spec(FakeBackend.spec(dir, 120)))) {
                a.ask("hi");
            }
        });
        ChatFailure.ContextOverflow o = assertInstanceOf(ChatFailure.ContextOverflow.class, e.failure());
        assertTrue(o.promptTokens() > 120, "the tool schema alone is over 120 characters: " + o);
        assertTrue(e.getMessage().contains("1 tools offered"), e.getMessage());
    }

    @Test
    void aBackendThatCannotCallToolsIsSkippedWithItsReason() throws Exception {
        FakeBackend plain = FakeBackend.of("docker", 20, Mode.WORKS);
        try (Agent a = Agent.builder().settings(Settings.empty()).spec(FakeBackend.spec(dir, 4096))
                .discovery(BackendRegistry.order(List.of(plain, llamacpp), List.of(), Settings.empty()))
                .tool(move).start()) {
            assertEquals("llamacpp", a.info().backendId());
            assertEquals(0, plain.starts());
            Attempt first = a.attempts().get(0);
            assertInstanceOf(Attempt.Incapable.class, first.outcome());
            assertTrue(first.toString().contains("TOOLS"), first.toString());
        }
    }

    @Test
    void aRequestTheBackendCannotHonourIsRefusedBeforeAnythingIsSent() throws Exception {
        FakeBackend plain = FakeBackend.of("docker", 20, Mode.WORKS);
        try (RunningModel model = RunningModel.builder().settings(Settings.empty()).spec(FakeBackend.spec(dir, 4096))
                .discovery(BackendRegistry.order(List.of(plain), List.of(), Settings.empty())).start()) {
            ChatRequest structured = ChatRequest.of(List.of(ChatMessage.user("a point")), 50)
                    .withResponseFormat(org.snowcrash.api.ResponseFormat.jsonSchema("point",
                            org.snowcrash.api.JsonSchema.of("{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"number\"}}}")));
            ChatException e = assertThrows(ChatException.class, () -> model.chat(structured));
            ChatFailure.Unsupported u = assertInstanceOf(ChatFailure.Unsupported.class, e.failure());
            assertEquals(Set.of(Capability.JSON_SCHEMA), u.missing());
            assertTrue(plain.last().requests().isEmpty(), "nothing was sent");
        }
    }

    @Test
    void jsonThatBreaksItsSchemaIsATypedErrorNotAnAnswer() throws Exception {
        try (RunningModel model = RunningModel.builder().settings(Settings.empty()).spec(FakeBackend.spec(dir, 4096))
                .discovery(BackendRegistry.order(List.of(llamacpp), List.of(), Settings.empty())).start()) {
            llamacpp.last().script(text("{\"x\":\"not a number\"}"));
            ChatRequest structured = ChatRequest.of(List.of(ChatMessage.user("a point")), 50)
                    .withResponseFormat(org.snowcrash.api.ResponseFormat.jsonSchema("point",
                            org.snowcrash.api.JsonSchema.of("{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"number\"}}}")));
            ChatException e = assertThrows(ChatException.class, () -> model.chat(structured));
            ChatFailure.InvalidAnswer invalid = assertInstanceOf(ChatFailure.InvalidAnswer.class, e.failure());
            assertTrue(invalid.what().startsWith("point: "), invalid.what());
            assertEquals("{\"x\":\"not a number\"}", invalid.answer());
        }
    }
}
