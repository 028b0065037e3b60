package org.snowcrash.backend.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.JsonSchema;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.Settings;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolCallDelta;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolSpec;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.tools.AnswerCheck;
import org.snowcrash.tools.SchemaCheck;

/**
 * Tools and JSON answers on real llama.cpp with a random-weight model: whatever the weights say,
 * the grammar makes a forced call a valid call and a JSON answer valid JSON, blocking and streaming
 * alike. Answers are noise; what is checked is their structure.
 */
class InProcessToolsTest {

    static final ToolSpec MOVE = ToolSpec.of("move", "Drive straight.",
            "{\"type\":\"object\",\"properties\":{\"direction\":{\"type\":\"string\",\"enum\":[\"forward\",\"backward\"]},"
                    + "\"meters\":{\"type\":\"number\"}},\"required\":[\"direction\",\"meters\"]}");
    static final ToolSpec TURN = ToolSpec.of("turn", "Turn in place.",
            "{\"type\":\"object\",\"properties\":{\"direction\":{\"type\":\"string\",\"enum\":[\"left\",\"right\"]},"
                    + "\"degrees\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":360},\"slowly\":{\"type\":\"boolean\"}},"
                    + "\"required\":[\"direction\",\"degrees\"]}");
    static final JsonSchema SEEN = JsonSchema.of("{\"type\":\"object\",\"properties\":{"
            + "\"object\":{\"enum\":[\"cup\",\"person\",\"door\"]},\"count\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":9},"
            + "\"where\":{\"type\":\"object\",\"properties\":{\"side\":{\"enum\":[\"left\",\"right\",\"ahead\"]},"
            + "\"near\":{\"type\":\"boolean\"}},\"required\":[\"side\"]}},\"required\":[\"object\",\"count\",\"where\"]}");

    private static Path dir;
    private static ModelSession session;

    @BeforeAll
    static void load() throws Exception {
        dir = Files.createTempDirectory("llamacpp-tools");
        Path file = dir.resolve("tiny.gguf");
        TinyLlama.demo().write(file);
        session = new LlamaCppBackend().start(ModelSpec.builder("tiny", file).contextSize(1024).gpuLayers(0).build(),
                BackendContext.of(Settings.empty()));
    }

    @AfterAll
    static void close() throws Exception {
        if (session != null) {
            session.close();
        }
        Files.walk(dir).sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }

    static ChatRequest ask(String text, int maxTokens) {
        return ChatRequest.of(List.of(ChatMessage.system("You are a robot."), ChatMessage.user(text)), maxTokens)
                .withTemperature(0).withSeed(3);
    }

    /** What a viewer of the stream sees: text pieces and call deltas. */
    static final class Seen implements TokenSink {
        final StringBuilder text = new StringBuilder();
        final List<ToolCallDelta> deltas = new ArrayList<>();

        @Override
        public void accept(String piece) {
            text.append(piece);
        }

        @Override
        public void toolCall(ToolCallDelta delta) {
            deltas.add(delta);
        }

        /** The calls the deltas add up to: id, name, arguments per index. */
        List<ToolCall> calls() {
            Map<Integer, String[]> by = new LinkedHashMap<>();
            for (ToolCallDelta d : deltas) {
                String[] c = by.computeIfAbsent(d.index(), i -> new String[] {"", "", ""});
                c[0] += d.id();
                c[1] += d.name();
                c[2] += d.arguments();
            }
            return by.values().stream().map(c -> new ToolCall(c[0], c[1], c[2])).toList();
        }
    }

    /** Blocking after a warm-up (prompt cached, as for the stream after it), then streaming: the same answer. */
    static ChatResponse[] blockingAndStreamed(ChatRequest r, Seen seen) {
        session.chat(r);
        ChatResponse blocking = session.chat(r);
        ChatResponse streamed = session.stream(r, seen, new Cancellation());
        return new ChatResponse[] {blocking, streamed};
    }

    static void assertSameCalls(List<ToolCall> a, List<ToolCall> b) {
        assertEquals(a.size(), b.size(), a + " vs " + b);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).name(), b.get(i).name());
            assertEquals(a.get(i).arguments(), b.get(i).arguments());
        }
    }

    @Test
    void theBackendDeclaresToolsJsonSchemaAndGrammar() {
        assertEquals(Set.of(Capability.TOOLS, Capability.JSON_SCHEMA, Capability.GRAMMAR), new LlamaCppBackend().capabilities());
    }

    @Test
    void aRequiredCallIsAValidCallToAnOfferedToolWhateverTheWeights() {
        ChatRequest r = ask("go somewhere", 200).withTools(List.of(MOVE, TURN), ToolChoice.REQUIRED).withParallelToolCalls(false);
        Seen seen = new Seen();
        ChatResponse[] both = blockingAndStreamed(r, seen);
        ChatResponse blocking = both[0];
        assertEquals(FinishReason.TOOL_CALLS, blocking.finishReason(), blocking.toString());
        assertEquals(1, blocking.toolCalls().size());
        ToolCall call = blocking.toolCalls().get(0);
        assertTrue(call.id().matches("call_[a-zA-Z0-9]{24}"), call.id());
        ToolSpec tool = call.name().equals("move") ? MOVE : TURN;
        assertEquals(List.of(), SchemaCheck.problems(tool.parameters(), call.arguments()), call.arguments());
        assertEquals(java.util.Optional.empty(), AnswerCheck.problem(r, blocking));
        assertEquals("", blocking.text());
        // Streaming: the deltas add up to the same call, under the id the response carries.
        ChatResponse streamed = both[1];
        assertSameCalls(blocking.toolCalls(), streamed.toolCalls());
        assertSameCalls(streamed.toolCalls(), seen.calls());
        assertEquals(streamed.toolCalls().get(0).id(), seen.calls().get(0).id());
        assertEquals("", seen.text.toString(), "a call is not text");
        assertEquals(blocking.usage(), streamed.usage());
    }

    @Test
    void aNamedCallCallsThatTool() {
        ChatRequest r = ask("go somewhere", 200).withTools(List.of(MOVE, TURN), ToolChoice.named("turn"));
        ChatResponse a = session.chat(r);
        assertEquals(FinishReason.TOOL_CALLS, a.finishReason(), a.toString());
        assertFalse(a.toolCalls().isEmpty());
        for (ToolCall c : a.toolCalls()) {
            assertEquals("turn", c.name());
            assertEquals(List.of(), SchemaCheck.problems(TURN.parameters(), c.arguments()), c.arguments());
        }
        assertTrue(a.toolCalls().size() <= Grammars.MAX_CALLS);
    }

    @Test
    void parallelCallsAreOneValidCallPerLine() {
        ChatRequest r = ask("do several things", 700).withTools(List.of(MOVE, TURN), ToolChoice.REQUIRED).withParallelToolCalls(true);
        Seen seen = new Seen();
        ChatResponse[] both = blockingAndStreamed(r, seen);
        ChatResponse a = both[0];
        assertEquals(FinishReason.TOOL_CALLS, a.finishReason(), a.toString());
        assertTrue(a.toolCalls().size() >= 1 && a.toolCalls().size() <= Grammars.MAX_CALLS, a.toString());
        assertEquals(java.util.Optional.empty(), AnswerCheck.problem(r, a));
        assertSameCalls(a.toolCalls(), both[1].toolCalls());
        assertSameCalls(a.toolCalls(), seen.calls());
    }

    @Test
    void aJsonSchemaAnswerIsValidAndStreamsAsText() {
        ChatRequest r = ask("what do you see", 200).withResponseFormat(ResponseFormat.jsonSchema("seen", SEEN));
        Seen seen = new Seen();
        ChatResponse[] both = blockingAndStreamed(r, seen);
        ChatResponse a = both[0];
        assertEquals(FinishReason.STOP, a.finishReason(), a.toString());
        assertEquals(List.of(), SchemaCheck.problems(SEEN, a.text()), a.text());
        assertFalse(a.text().contains("  "), "at most one blank between tokens: " + a.text());
        assertEquals(a.text(), both[1].text());
        assertEquals(a.text(), seen.text.toString(), "a JSON answer streams as text");
        assertEquals(java.util.Optional.empty(), AnswerCheck.problem(r, a));
    }

    @Test
    void aJsonObjectAnswerParsesOrIsCutAtTheLimit() {
        ChatRequest r = ask("answer in JSON", 120).withResponseFormat(ResponseFormat.JSON_OBJECT);
        Seen seen = new Seen();
        ChatResponse[] both = blockingAndStreamed(r, seen);
        ChatResponse a = both[0];
        assertTrue(a.text().startsWith("{"), a.text());
        if (a.finishReason() == FinishReason.STOP) {
            assertEquals(java.util.Optional.empty(), AnswerCheck.problem(r, a), a.text());
        } else {
            // Any object is allowed, so a random model may go on until the limit: it ends there.
            assertEquals(FinishReason.LENGTH, a.finishReason());
            assertEquals(120, a.usage().completionTokens());
        }
        assertEquals(a.text(), both[1].text());
        assertEquals(a.text(), seen.text.toString());
    }

    @Test
    void aLongStringRunsToTheTokenLimitAndEndsThere() {
        JsonSchema note = JsonSchema.of("{\"type\":\"object\",\"properties\":{\"note\":{\"type\":\"string\"}},\"required\":[\"note\"]}");
        ChatResponse a = session.chat(ask("write", 12).withResponseFormat(ResponseFormat.jsonSchema("note", note)));
        assertTrue(a.text().startsWith("{\"note\""), a.text());
        if (a.finishReason() == FinishReason.LENGTH) {
            assertEquals(12, a.usage().completionTokens());
        } else {
            assertEquals(List.of(), SchemaCheck.problems(note, a.text()));
        }
    }

    @Test
    void autoWithJsonFormatGivesCallsOrAValidAnswer() {
        ChatRequest r = ask("what do you see", 300).withTools(List.of(MOVE, TURN), ToolChoice.AUTO)
                .withResponseFormat(ResponseFormat.jsonSchema("seen", SEEN)).withParallelToolCalls(false);
        Seen seen = new Seen();
        ChatResponse[] both = blockingAndStreamed(r, seen);
        ChatResponse a = both[0];
        assertEquals(java.util.Optional.empty(), AnswerCheck.problem(r, a), a.toString());
        assertTrue(a.finishReason() == FinishReason.TOOL_CALLS || a.finishReason() == FinishReason.STOP, a.toString());
        assertEquals(a.text(), seen.text.toString());
        assertSameCalls(a.toolCalls(), seen.calls());
    }

    @Test
    void autoWithTextGivesTextOrACallAndStreamingAgrees() {
        ChatRequest r = ask("hello", 60).withTools(List.of(MOVE, TURN), ToolChoice.AUTO);
        Seen seen = new Seen();
        ChatResponse[] both = blockingAndStreamed(r, seen);
        ChatResponse a = both[0];
        assertEquals(a.text(), both[1].text());
        assertEquals(a.text(), seen.text.toString());
        assertSameCalls(a.toolCalls(), seen.calls());
        if (a.hasToolCalls()) {
            assertEquals(java.util.Optional.empty(), AnswerCheck.problem(r, a));
        } else {
            assertFalse(a.text().isBlank() && a.finishReason() == FinishReason.STOP && a.text().strip().startsWith("{"));
        }
    }

    @Test
    void thePromptIsCountedWithTheToolsAsRenderedAndNoneShowsNoTools() {
        List<ChatMessage> messages = ask("hello", 4).messages();
        ChatResponse withTools = session.chat(ask("hello", 4).withTools(List.of(MOVE, TURN), ToolChoice.AUTO));
        assertEquals(session.countPromptTokens(messages, List.of(MOVE, TURN)), withTools.usage().promptTokens());
        ChatResponse none = session.chat(ask("hello", 4).withTools(List.of(MOVE, TURN), ToolChoice.NONE));
        assertEquals(session.countPromptTokens(messages), none.usage().promptTokens(), "tool_choice none shows no tools");
        assertTrue(withTools.usage().promptTokens() > none.usage().promptTokens() + 100, withTools.usage() + " vs " + none.usage());
        assertFalse(none.hasToolCalls());
    }

    @Test
    void aConversationWithCallsAndResultsIsRenderedInTheToolFormat() {
        ToolCall call = new ToolCall("call_1", "move", "{\"direction\":\"forward\",\"meters\":2}");
        List<ChatMessage> messages = List.of(ChatMessage.user("drive"), ChatMessage.assistant("", List.of(call)),
                ChatMessage.toolResult("call_1", "done"));
        ChatResponse a = session.chat(ChatRequest.of(messages, 4).withTemperature(0).withTools(List.of(MOVE), ToolChoice.AUTO));
        assertEquals(session.countPromptTokens(messages, List.of(MOVE)), a.usage().promptTokens());
    }

    @Test
    void aSchemaTheConverterCannotTakeIsATypedErrorAndTheJvmLivesOn() {
        JsonSchema bad = JsonSchema.of("{\"type\":\"object\",\"properties\":{\"a\":{\"not\":{\"type\":\"string\"}}}}");
        ChatException e = assertThrows(ChatException.class,
                () -> session.chat(ask("x", 8).withResponseFormat(ResponseFormat.jsonSchema("bad", bad))));
        ChatFailure.ServerError f = assertInstanceOf(ChatFailure.ServerError.class, e.failure());
        assertEquals(400, f.status());
        assertTrue(f.message().contains("response_format: $.properties.a.not"), f.message());
        ToolSpec badTool = ToolSpec.of("look", "", "{\"type\":\"object\",\"properties\":{\"at\":{\"$ref\":\"#/$defs/thing\"}}}");
        ChatException t = assertThrows(ChatException.class,
                () -> session.chat(ask("x", 8).withTools(List.of(MOVE, badTool), ToolChoice.REQUIRED)));
        assertTrue(t.getMessage().contains("tools[look].parameters: $.properties.at.$ref: '#/$defs/thing' does not resolve"),
                t.getMessage());
        assertTrue(session.chat(ask("still here", 2)).usage().completionTokens() >= 1, "the JVM and the model survive");
    }
}
