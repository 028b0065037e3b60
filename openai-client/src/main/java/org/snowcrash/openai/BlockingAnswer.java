package org.snowcrash.openai;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.ToolCall;

/**
 * One blocking chat answer: a single {@code POST <apiBase>/chat/completions} bounded by the
 * request timeout, its JSON read into a {@link ChatResponse} (text, tool calls, reasoning, usage).
 * The blocking twin of {@link StreamedAnswer}. Thread-safe: no state between calls.
 */
final class BlockingAnswer {

    private final Wire wire;
    private final String model;

    BlockingAnswer(Wire wire, String model) {
        this.wire = wire;
        this.model = model;
    }

    /** Sends {@code request} once; see {@link OpenAiClient#chat(ChatRequest)}. */
    ChatResponse read(ChatRequest request, Exchange exchange) {
        long t0 = System.nanoTime();
        JsonNode body = wire.post(wire.blocking, wire.requestTimeout, wire.apiBase + "/chat/completions",
                ChatJson.request(request, model, false), exchange);
        JsonNode choice = body.path("choices").path(0);
        JsonNode message = choice.path("message");
        String text = message.path("content").asText("");
        List<ToolCall> calls;
        try {
            calls = ChatJson.toolCalls(message.get("tool_calls"));
        } catch (IllegalArgumentException e) {
            throw wire.failures.error(new ChatFailure.Other("the server sent a malformed tool call: " + e.getMessage()), e);
        }
        return new ChatResponse(text, ChatJson.finishReason(choice.path("finish_reason").asText("stop"), !calls.isEmpty()),
                ChatJson.usage(body), Duration.ofNanos(System.nanoTime() - t0), calls, message.path("reasoning_content").asText(""));
    }
}
