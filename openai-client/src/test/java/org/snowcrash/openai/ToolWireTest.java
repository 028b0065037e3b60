package org.snowcrash.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.snowcrash.api.Cancellation;
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

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;

/**
 * The tool-calling shapes of the OpenAI wire format, on a real HTTP server: what goes out (tools,
 * tool_choice, parallel_tool_calls, response_format, calls and results in the conversation) and
 * what comes back ({@code message.tool_calls}, {@code reasoning_content}, streamed
 * {@code delta.tool_calls}). The answers are the ones llama-server's tiny test models cannot be made
 * to give: Debian's llama-server parses no calls out of a ChatML model's answer (measured, see
 * docs/tools-servers.md), so the answer side is scripted here in the shapes OpenAI documents and
 * llama-server sends for tool-capable templates. What llama-server itself does is tested against
 * the real server in backend-docker.
 */
class ToolWireTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ToolSpec GRAB = ToolSpec.of("grab", "Grab an object",
            "{\"type\":\"object\",\"properties\":{\"object\":{\"type\":\"string\"}},\"required\":[\"object\"]}");
    private static final ToolSpec MOVE = ToolSpec.of("move", "",
            "{\"type\":\"object\",\"properties\":{\"meters\":{\"type\":\"number\"}}}");

    private MockWebServer server;
    private OpenAiClient client;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
        client = OpenAiClient.builder(new OkHttpClient(), "remote", server.url("/v1").toString())
                .idleTimeout(Duration.ofSeconds(5)).requestTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static MockResponse json(String body) {
        return new MockResponse.Builder().addHeader("Content-Type", "application/json").body(body).build();
    }

    private static MockResponse sse(String... chunks) {
        StringBuilder b = new StringBuilder();
        for (String c : chunks) {
            b.append("data: ").append(c).append("\n\n");
        }
        return new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(b + "data: [DONE]\n\n").build();
    }

    private JsonNode sentBody() throws Exception {
        return MAPPER.readTree(server.takeRequest().getBody().utf8());
    }

    @Test
    void sendsToolsChoiceParallelAndSchemaFormat() throws Exception {
        server.enqueue(json("{\"choices\":[{\"message\":{\"content\":\"{}\"},\"finish_reason\":\"stop\"}]}"));
        ChatRequest r = ChatRequest.of(List.of(ChatMessage.user("grab the cup")), 16)
                .withTools(List.of(GRAB, MOVE), ToolChoice.named("grab")).withParallelToolCalls(false)
                .withResponseFormat(ResponseFormat.jsonSchema("answer", JsonSchema.anyObject()));
        client.chat(r);
        JsonNode b = sentBody();
        assertEquals("function", b.at("/tools/0/type").asText());
        assertEquals("grab", b.at("/tools/0/function/name").asText());
        assertEquals("Grab an object", b.at("/tools/0/function/description").asText());
        assertEquals("string", b.at("/tools/0/function/parameters/properties/object/type").asText());
        assertFalse(b.at("/tools/1/function").has("description"), "an empty description is left out");
        assertEquals("{\"type\":\"function\",\"function\":{\"name\":\"grab\"}}", b.get("tool_choice").toString());
        assertFalse(b.get("parallel_tool_calls").asBoolean());
        assertEquals("json_schema", b.at("/response_format/type").asText());
        assertEquals("answer", b.at("/response_format/json_schema/name").asText());
        assertTrue(b.at("/response_format/json_schema/strict").asBoolean());
        assertEquals("object", b.at("/response_format/json_schema/schema/type").asText());
    }

    @Test
    void plainRequestsSayNothingOfToolsOrFormats() throws Exception {
        server.enqueue(json("{\"choices\":[{\"message\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}"));
        client.chat(ChatRequest.of(List.of(ChatMessage.user("hi")), 4));
        JsonNode b = sentBody();
        assertFalse(b.has("tools") || b.has("tool_choice") || b.has("parallel_tool_calls") || b.has("response_format"), b.toString());
    }

    @Test
    void sendsCallsAndResultsOfEarlierTurns() throws Exception {
        server.enqueue(json("{\"choices\":[{\"message\":{\"content\":\"done\"},\"finish_reason\":\"stop\"}]}"));
        ToolCall call = new ToolCall("call_1", "grab", "{\"object\":\"cup\"}");
        client.chat(ChatRequest.of(List.of(ChatMessage.user("grab the cup"), ChatMessage.assistant("", List.of(call)),
                ChatMessage.toolResult("call_1", "grabbed")), 8).withTools(List.of(GRAB), ToolChoice.AUTO));
        JsonNode m = sentBody().get("messages");
        assertEquals("assistant", m.at("/1/role").asText());
        assertEquals("call_1", m.at("/1/tool_calls/0/id").asText());
        assertEquals("function", m.at("/1/tool_calls/0/type").asText());
        assertEquals("grab", m.at("/1/tool_calls/0/function/name").asText());
        assertEquals("{\"object\":\"cup\"}", m.at("/1/tool_calls/0/function/arguments").asText(), "arguments go as JSON text");
        assertEquals("tool", m.at("/2/role").asText());
        assertEquals("call_1", m.at("/2/tool_call_id").asText());
        assertEquals("grabbed", m.at("/2/content").asText());
    }

    @Test
    void readsCallsAndReasoningOfABlockingAnswer() {
        server.enqueue(json("{\"choices\":[{\"finish_reason\":\"tool_calls\",\"message\":{\"role\":\"assistant\",\"content\":null,"
                + "\"reasoning_content\":\"The cup is ahead.\",\"tool_calls\":["
                + "{\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"grab\",\"arguments\":\"{\\\"object\\\":\\\"cup\\\"}\"}},"
                + "{\"type\":\"function\",\"function\":{\"name\":\"move\",\"arguments\":{\"meters\":2}}}]}}],"
                + "\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":20}}"));
        ChatResponse r = client.chat(ChatRequest.of(List.of(ChatMessage.user("grab the cup")), 64)
                .withTools(List.of(GRAB, MOVE), ToolChoice.AUTO));
        assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
        assertEquals("", r.text(), "a null content is no text");
        assertEquals("The cup is ahead.", r.reasoning());
        assertEquals(new ToolCall("call_a", "grab", "{\"object\":\"cup\"}"), r.toolCalls().get(0));
        assertEquals("move", r.toolCalls().get(1).name());
        assertEquals("{\"meters\":2}", r.toolCalls().get(1).arguments(), "arguments sent as an object become JSON text");
        assertTrue(r.toolCalls().get(1).id().matches("call_[A-Za-z0-9]{24}"), "a call without an id gets one");
    }

    @Test
    void aCallWithoutANameIsATypedError() {
        server.enqueue(json("{\"choices\":[{\"finish_reason\":\"tool_calls\",\"message\":{\"tool_calls\":[{\"id\":\"x\",\"function\":{}}]}}]}"));
        ChatException e = assertThrows(ChatException.class, () -> client.chat(ChatRequest.of(List.of(ChatMessage.user("x")), 4)));
        assertInstanceOf(ChatFailure.Other.class, e.failure());
        assertTrue(e.getMessage().contains("tool_calls[0] has no function name"), e.getMessage());
    }

    /** Records every kind of piece in arrival order. */
    private static final class Recorder implements TokenSink {
        final List<String> events = new ArrayList<>();
        final List<ToolCallDelta> deltas = new ArrayList<>();

        @Override
        public void accept(String piece) {
            events.add("text:" + piece);
        }

        @Override
        public void toolCall(ToolCallDelta delta) {
            deltas.add(delta);
            events.add("call:" + delta.index() + ":" + delta.name() + ":" + delta.arguments());
        }

        @Override
        public void reasoning(String piece) {
            events.add("think:" + piece);
        }
    }

    @Test
    void assemblesStreamedCallsAndKeepsReasoningApart() {
        server.enqueue(sse(
                "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null},\"finish_reason\":null}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Cup \"},\"finish_reason\":null}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"ahead.\"},\"finish_reason\":null}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"grab\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"obj\"}}]},\"finish_reason\":null}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"ect\\\":\\\"cup\\\"}\"}}]},\"finish_reason\":null}]}",
                // A second call whose first piece already carries arguments, and which repeats its id later.
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"move\",\"arguments\":\"{\\\"meters\\\"\"}}]},\"finish_reason\":null}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"function\":{\"arguments\":\":2}\"}}]},\"finish_reason\":null}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":12}}"));
        Recorder sink = new Recorder();
        ChatResponse r = client.stream(ChatRequest.of(List.of(ChatMessage.user("grab the cup")), 64)
                .withTools(List.of(GRAB, MOVE), ToolChoice.AUTO), sink, new Cancellation());
        assertEquals(List.of("think:Cup ", "think:ahead.", "call:0:grab:", "call:0::{\"obj", "call:0::ect\":\"cup\"}",
                "call:1:move:{\"meters\"", "call:1:::2}"), sink.events);
        assertTrue(sink.deltas.get(0).opensCall() && sink.deltas.get(3).opensCall());
        assertEquals("call_a", sink.deltas.get(0).id());
        assertFalse(sink.deltas.get(4).opensCall(), "a repeated id opens no second call");
        assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
        assertEquals(List.of(new ToolCall("call_a", "grab", "{\"object\":\"cup\"}"), new ToolCall("call_b", "move", "{\"meters\":2}")),
                r.toolCalls());
        assertEquals("Cup ahead.", r.reasoning());
        assertEquals("", r.text());
        assertEquals(12, r.usage().completionTokens());
    }

    @Test
    void argumentsBeforeANameAreATypedError() {
        server.enqueue(sse("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{}\"}}]},"
                + "\"finish_reason\":null}]}"));
        ChatException e = assertThrows(ChatException.class, () -> client.stream(ChatRequest.of(List.of(ChatMessage.user("x")), 4),
                p -> { }, new Cancellation()));
        assertInstanceOf(ChatFailure.Other.class, e.failure());
        assertTrue(e.getMessage().contains("streamed arguments before its function name"), e.getMessage());
    }

    @Test
    void countsToolsWithTheTemplate() throws Exception {
        server.enqueue(json("{\"prompt\":\"<tools>grab</tools>hi\"}"));
        server.enqueue(json("{\"tokens\":[1,2,3,4,5]}"));
        assertEquals(5, client.countPromptTokens(List.of(ChatMessage.user("hi")), List.of(GRAB)));
        JsonNode applied = sentBody();
        assertEquals("grab", applied.at("/tools/0/function/name").asText());
        assertEquals("<tools>grab</tools>hi", sentBody().get("content").asText());
    }
}
