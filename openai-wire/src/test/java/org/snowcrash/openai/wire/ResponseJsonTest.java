package org.snowcrash.openai.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolCallDelta;
import org.snowcrash.api.Usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The shapes the OpenAI SDKs read for calls and reasoning, as the server writes them (moved here
 * from the server with the code that writes them): the whole
 * answer's {@code message.tool_calls}, the streamed {@code delta.tool_calls} pieces and
 * {@code reasoning_content}, kept apart from {@code content}.
 */
class ResponseJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final ResponseJson json = new ResponseJson(MAPPER);
    private final Completion c = new Completion("chatcmpl-1", 1_700_000_000L, "demo");

    @Test
    void aWholeAnswerOfCallsHasToolCallsNullContentAndFinishReasonToolCalls() {
        ChatResponse r = new ChatResponse("", FinishReason.TOOL_CALLS, new Usage(10, 5, 0), Duration.ofMillis(3),
                List.of(new ToolCall("call_a", "move", "{\"meters\":3}"), new ToolCall("call_b", "turn", "{\"deg\":90}")),
                "forward is clear");
        JsonNode choice = tree(json.completion(c, Optional.of("llamacpp"), r)).path("choices").path(0);
        assertEquals("tool_calls", choice.path("finish_reason").asText());
        JsonNode m = choice.path("message");
        assertEquals("assistant", m.path("role").asText());
        assertTrue(m.path("content").isNull(), m.toString());
        assertEquals("forward is clear", m.path("reasoning_content").asText());
        JsonNode first = m.path("tool_calls").path(0);
        assertEquals("call_a", first.path("id").asText());
        assertEquals("function", first.path("type").asText());
        assertEquals("move", first.path("function").path("name").asText());
        assertTrue(first.path("function").path("arguments").isTextual(), "arguments are JSON text, as OpenAI sends them");
        assertEquals("{\"meters\":3}", first.path("function").path("arguments").asText());
        assertEquals("turn", m.path("tool_calls").path(1).path("function").path("name").asText());
    }

    @Test
    void aTextAnswerHasNoToolCallsAndNoReasoning() {
        ChatResponse r = new ChatResponse("hello", FinishReason.STOP, new Usage(3, 1, 0), Duration.ofMillis(1));
        JsonNode m = tree(json.completion(c, Optional.empty(), r)).path("choices").path(0).path("message");
        assertEquals("hello", m.path("content").asText());
        assertFalse(m.has("tool_calls"));
        assertFalse(m.has("reasoning_content"));
    }

    @Test
    void theFirstPieceOfACallNamesItAndLaterPiecesCarryOnlyArgumentFragments() {
        JsonNode open = tree(json.toolCallChunk(c, Optional.empty(), new ToolCallDelta(1, "call_b", "turn", ""), true));
        JsonNode d = open.path("choices").path(0).path("delta").path("tool_calls").path(0);
        assertEquals(1, d.path("index").asInt());
        assertEquals("call_b", d.path("id").asText());
        assertEquals("function", d.path("type").asText());
        assertEquals("turn", d.path("function").path("name").asText());
        assertEquals("", d.path("function").path("arguments").asText());
        assertTrue(open.path("choices").path(0).path("finish_reason").isNull());
        assertTrue(open.has("usage") && open.path("usage").isNull(), "include_usage: null usage on every chunk but the last");

        JsonNode more = tree(json.toolCallChunk(c, Optional.empty(), new ToolCallDelta(1, "", "", "{\"deg\""), false))
                .path("choices").path(0).path("delta").path("tool_calls").path(0);
        assertEquals(1, more.path("index").asInt());
        assertFalse(more.has("id"));
        assertFalse(more.has("type"));
        assertFalse(more.path("function").has("name"));
        assertEquals("{\"deg\"", more.path("function").path("arguments").asText());
    }

    @Test
    void reasoningStreamsApartFromContentAndTheLastChunkSaysToolCalls() {
        JsonNode r = tree(json.reasoningChunk(c, Optional.empty(), "thinking", false))
                .path("choices").path(0).path("delta");
        assertEquals("thinking", r.path("reasoning_content").asText());
        assertFalse(r.has("content"));
        JsonNode end = tree(json.chunk(c, Optional.empty(), false, null, FinishReason.TOOL_CALLS, false));
        assertEquals("tool_calls", end.path("choices").path(0).path("finish_reason").asText());
    }

    private static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
