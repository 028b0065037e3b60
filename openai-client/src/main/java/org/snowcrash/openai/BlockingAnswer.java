package org.snowcrash.openai;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;

import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.openai.wire.RequestJson;
import org.snowcrash.openai.wire.ResponseReader;

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
                RequestJson.request(request, model, false), exchange);
        try {
            return ResponseReader.response(body, Duration.ofNanos(System.nanoTime() - t0));
        } catch (IllegalArgumentException e) {
            throw wire.failures.error(new ChatFailure.Other("the server sent a malformed tool call: " + e.getMessage()), e);
        }
    }
}
