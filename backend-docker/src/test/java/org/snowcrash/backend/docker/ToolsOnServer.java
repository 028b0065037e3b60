package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.JsonSchema;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolCallDelta;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolSpec;

/**
 * Every request kind of tool calling and structured output, blocking and streamed, through the
 * runtime (which checks every answer against its request) to a model in a real llama-server
 * container: subclasses start the model once. Greedy sampling, so an answer does not change from
 * run to run.
 */
abstract class ToolsOnServer {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final ToolSpec MOVE = ToolSpec.of("move", "Move the robot",
            "{\"type\":\"object\",\"properties\":{\"direction\":{\"type\":\"string\",\"enum\":[\"forward\",\"backward\"]},"
                    + "\"meters\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":9}},\"required\":[\"direction\",\"meters\"],"
                    + "\"additionalProperties\":false}");
    static final ToolSpec GRAB = ToolSpec.of("grab", "Grab an object",
            "{\"type\":\"object\",\"properties\":{\"object\":{\"type\":\"string\",\"enum\":[\"cup\",\"ball\"]}},"
                    + "\"required\":[\"object\"],\"additionalProperties\":false}");
    static final List<ToolSpec> TOOLS = List.of(MOVE, GRAB);
    static final JsonSchema COUNT = JsonSchema.of("{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\","
            + "\"minimum\":0,\"maximum\":9}},\"required\":[\"count\"],\"additionalProperties\":false}");

    /** The running model under test. */
    abstract RunningModel model();

    /** The most tokens a forced call may take on this model (byte-level vocabularies need more). */
    abstract int callTokens();

    /**
     * Starts the random-weight demo model (written to {@code dir/tiny.gguf}) on the native tool
     * path in a container named after {@code name}, context 2048, with these extra server flags:
     * the set-up every tiny-model tool test shares; only the template differs.
     */
    static RunningModel startTinyNative(java.nio.file.Path dir, String name, String... serverArgs) throws Exception {
        java.nio.file.Path file = dir.resolve("tiny.gguf");
        org.snowcrash.testkit.TinyLlama.demo().write(file);
        DockerTestSupport.TestModel m = DockerTestSupport.model(org.snowcrash.api.ModelSpec.builder("tiny", file).contextSize(2048)
                .startupTimeout(java.time.Duration.ofSeconds(60)).toolFormat(org.snowcrash.api.ToolFormat.NATIVE).build(), name);
        if (serverArgs.length > 0) {
            m = m.withArgs(serverArgs);
        }
        return RunningModel.builder().settings(m.settings()).spec(m.spec()).backend("docker").start();
    }

    static ChatRequest ask(String user, int maxTokens) {
        return ChatRequest.of(List.of(ChatMessage.system("You are Snowcrash, a small robot. Your camera sees: a cup ahead."),
                ChatMessage.user(user)), maxTokens).withTemperature(0).withSeed(7);
    }

    /** A streamed answer and everything its sink saw. */
    record Streamed(ChatResponse response, String text, Map<Integer, ToolCall> calls, int openings) {
    }

    Streamed stream(ChatRequest request) {
        StringBuilder text = new StringBuilder();
        Map<Integer, String[]> calls = new LinkedHashMap<>();
        int[] openings = {0};
        ChatResponse r = model().stream(request, new TokenSink() {
            @Override
            public void accept(String piece) {
                text.append(piece);
            }

            @Override
            public void toolCall(ToolCallDelta d) {
                if (d.opensCall()) {
                    openings[0]++;
                    calls.put(d.index(), new String[] {d.id(), d.name(), d.arguments()});
                } else {
                    calls.get(d.index())[2] += d.arguments();
                }
            }
        }, new Cancellation());
        Map<Integer, ToolCall> assembled = new LinkedHashMap<>();
        calls.forEach((i, c) -> assembled.put(i, new ToolCall(c[0], c[1], c[2])));
        return new Streamed(r, text.toString(), assembled, openings[0]);
    }

    /** Blocking, then streamed: both answers, the streamed one checked against what its sink saw. */
    List<ChatResponse> both(ChatRequest request) {
        List<ChatResponse> out = new ArrayList<>();
        out.add(model().chat(request));
        Streamed s = stream(request);
        assertEquals(s.response().toolCalls(), new ArrayList<>(s.calls().values()),
                "the streamed deltas assemble to the response's calls, ids included");
        assertEquals(s.response().text(), s.text(), "the streamed text is the response's text");
        assertEquals(s.calls().size(), s.openings(), "each call opens once");
        out.add(s.response());
        return out;
    }

    static JsonNode json(String text) throws Exception {
        return MAPPER.readTree(text);
    }

    @Test
    void declaresToolsAndJsonSchema() {
        assertTrue(model().capabilities().containsAll(List.of(Capability.TOOLS, Capability.JSON_SCHEMA)));
    }

    @Test
    void requiredGivesOneValidCall() throws Exception {
        for (ChatResponse r : both(ask("Hello.", callTokens()).withTools(TOOLS, ToolChoice.REQUIRED))) {
            assertEquals(FinishReason.TOOL_CALLS, r.finishReason(), r.toString());
            assertEquals(1, r.toolCalls().size());
            ToolCall c = r.toolCalls().get(0);
            assertTrue(List.of("move", "grab").contains(c.name()), c.name());
            assertTrue(json(c.arguments()).isObject());
            assertTrue(c.id().startsWith("call_"), c.id());
        }
    }

    @Test
    void namedGivesACallToThatTool() throws Exception {
        for (ChatResponse r : both(ask("Hello.", callTokens()).withTools(TOOLS, ToolChoice.named("grab")))) {
            assertEquals(FinishReason.TOOL_CALLS, r.finishReason(), r.toString());
            assertEquals("grab", r.toolCalls().get(0).name());
            assertTrue(List.of("cup", "ball").contains(json(r.toolCalls().get(0).arguments()).path("object").asText()));
        }
    }

    @Test
    void noneGivesText() {
        for (ChatResponse r : both(ask("Move forward 2 meters.", 24).withTools(TOOLS, ToolChoice.NONE))) {
            assertFalse(r.hasToolCalls(), r.toString());
            assertFalse(r.text().isEmpty());
        }
    }

    @Test
    void jsonObjectGivesAnObject() throws Exception {
        for (ChatResponse r : both(ask("How many cups do you see?", callTokens())
                .withResponseFormat(ResponseFormat.JSON_OBJECT))) {
            assertEquals(FinishReason.STOP, r.finishReason(), r.toString());
            assertTrue(json(r.text()).isObject(), r.text());
        }
    }

    @Test
    void jsonSchemaGivesAValidObject() throws Exception {
        for (ChatResponse r : both(ask("How many cups do you see?", callTokens())
                .withResponseFormat(ResponseFormat.jsonSchema("count", COUNT)))) {
            assertEquals(FinishReason.STOP, r.finishReason(), r.toString());
            int count = json(r.text()).path("count").asInt(-1);
            assertTrue(count >= 0 && count <= 9, r.text());
        }
    }

    @Test
    void aForcedCallCutAtTheTokenLimitIsAnInvalidAnswer() {
        // Two tokens: no call fits, even in the trained demo vocabulary, whose pieces hold whole JSON keys.
        ChatRequest r = ask("Hello.", 2).withTools(TOOLS, ToolChoice.named("move"));
        ChatException blocking = assertThrows(ChatException.class, () -> model().chat(r));
        ChatFailure.InvalidAnswer f = assertInstanceOf(ChatFailure.InvalidAnswer.class, blocking.failure());
        assertTrue(f.describe().contains("token limit"), f.describe());
        ChatException streamed = assertThrows(ChatException.class, () -> stream(r));
        assertInstanceOf(ChatFailure.InvalidAnswer.class, streamed.failure());
    }

    /** A conversation that made a call and got its result: the model answers after it. */
    @Test
    void answersAfterAToolResult() {
        ToolCall call = new ToolCall("call_grab1", "grab", "{\"object\":\"cup\"}");
        ChatRequest r = ChatRequest.of(List.of(ChatMessage.system("You are Snowcrash, a small robot."), ChatMessage.user("Grab the cup."),
                        ChatMessage.assistant("", List.of(call)), ChatMessage.toolResult("call_grab1", "holding the cup")), 24)
                .withTemperature(0).withTools(TOOLS, ToolChoice.AUTO);
        for (ChatResponse resp : both(r)) {
            assertTrue(resp.hasToolCalls() || !resp.text().isBlank(), resp.toString());
        }
        int shortResult = model().countPromptTokens(r.messages(), TOOLS);
        List<ChatMessage> longer = new ArrayList<>(r.messages().subList(0, 3));
        longer.add(ChatMessage.toolResult("call_grab1", "holding the cup, which is red and full of warm tea"));
        int longResult = model().countPromptTokens(longer, TOOLS);
        assertTrue(longResult > shortResult, "the result is in the prompt: " + longResult + " vs " + shortResult);
    }

    /** Whether the prompt holds the tools (Snowcrash's format, or a template that renders them). */
    abstract boolean promptHoldsTools();

    /** The count with tools is what the server then reports having processed. */
    @Test
    void countsThePromptWithToolsExactly() {
        // tool_choice none: a one-token answer is never read as a call, and the prompt is the same.
        ChatRequest r = ask("Move forward 2 meters.", 1).withTools(TOOLS, ToolChoice.NONE);
        int counted = model().countPromptTokens(r.messages(), TOOLS);
        assertEquals(model().chat(r).usage().promptTokens(), counted);
        int plain = model().countPromptTokens(r.messages());
        assertEquals(model().chat(ask("Move forward 2 meters.", 1)).usage().promptTokens(), plain);
        assertEquals(promptHoldsTools(), counted > plain, "tools counted " + counted + ", without " + plain);
    }

    @Test
    void autoGivesTextOrValidCalls() throws Exception {
        for (ChatResponse r : both(ask("Move forward 2 meters.", 48).withTools(TOOLS, ToolChoice.AUTO))) {
            // The runtime has checked every call against its tool's schema; text is allowed.
            assertEquals(r.hasToolCalls(), r.finishReason() == FinishReason.TOOL_CALLS, r.toString());
            for (ToolCall c : r.toolCalls()) {
                assertTrue(json(c.arguments()).isObject());
            }
        }
    }
}
