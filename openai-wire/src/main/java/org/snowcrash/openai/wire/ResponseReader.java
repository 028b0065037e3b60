package org.snowcrash.openai.wire;

import static org.snowcrash.openai.wire.WireNames.*;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.Usage;

/**
 * Reads answers in OpenAI's shapes, leniently, as servers send them: the whole
 * {@code chat.completion} and each {@code chat.completion.chunk} of a stream (whose tool-call pieces
 * a {@link ToolCallAssembler} puts together). The shapes are those {@link ResponseJson} writes;
 * what other servers add (llama-server's {@code timings}, arguments as an object, a call without an
 * id) is read too. Stateless and thread-safe.
 */
public final class ResponseReader {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    private ResponseReader() {
    }

    /**
     * A whole answer: {@code choices[0].message} (content, {@code tool_calls}, {@code reasoning_content}),
     * its finish reason and usage.
     *
     * @param elapsed how long the answer took, as the caller measured it
     * @throws IllegalArgumentException when a call has no function name, naming the call's index
     */
    public static ChatResponse response(JsonNode body, Duration elapsed) {
        JsonNode choice = body.path(CHOICES).path(0);
        JsonNode message = choice.path(MESSAGE);
        String text = message.path(CONTENT).asText("");
        List<ToolCall> calls = toolCalls(message.get(TOOL_CALLS));
        return new ChatResponse(text, finishReason(choice.path(FINISH_REASON).asText("stop"), !calls.isEmpty()),
                usage(body), elapsed, calls, message.path(REASONING_CONTENT).asText(""));
    }

    /** One chunk of a stream (an {@code error} object in it is the caller's to look for first). */
    public static Chunk chunk(JsonNode chunk) {
        JsonNode choice = chunk.path(CHOICES).path(0);
        JsonNode delta = choice.path(DELTA);
        return new Chunk(delta.path(CONTENT).asText(""), delta.path(REASONING_CONTENT).asText(""), delta.get(TOOL_CALLS),
                choice.hasNonNull(FINISH_REASON) ? choice.get(FINISH_REASON).asText() : null,
                // "usage": null is what every chunk but the last says with include_usage: no counts yet.
                chunk.hasNonNull(USAGE) || chunk.has(TIMINGS) ? usage(chunk) : null);
    }

    /**
     * The calls of an answer's {@code message.tool_calls}. A call the server sent without an id gets
     * one (a tool result must be able to answer it); arguments sent as an object rather than as
     * JSON text (some servers do) are turned into text.
     *
     * @throws IllegalArgumentException when a call has no function name, naming the call's index
     */
    public static List<ToolCall> toolCalls(JsonNode array) {
        List<ToolCall> calls = new ArrayList<>();
        if (array == null || !array.isArray()) {
            return calls;
        }
        for (int i = 0; i < array.size(); i++) {
            JsonNode c = array.get(i);
            JsonNode f = c.path(FUNCTION);
            String name = f.path(NAME).asText("");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("tool_calls[" + i + "] has no function name: " + abbreviate(c.toString()));
            }
            String id = c.path(ID).asText("");
            calls.add(new ToolCall(id.isBlank() ? newCallId() : id, name, arguments(f.get(ARGUMENTS))));
        }
        return calls;
    }

    /** Arguments as JSON text, whether the server sent text (the OpenAI form) or an object. */
    static String arguments(JsonNode args) {
        if (args == null || args.isNull() || args.isMissingNode()) {
            return "";
        }
        return args.isTextual() ? args.asText() : args.toString();
    }

    /**
     * The finish reason: {@code length} is the token limit, {@code tool_calls} (and OpenAI's older
     * {@code function_call}) is calls when the answer holds calls; anything else ended normally.
     */
    public static FinishReason finishReason(String reason, boolean hasCalls) {
        if ("length".equals(reason)) {
            return FinishReason.LENGTH;
        }
        if (hasCalls) {
            return FinishReason.TOOL_CALLS;
        }
        return FinishReason.STOP;
    }

    /**
     * Usage from {@code usage} (OpenAI's {@code prompt_tokens_details.cached_tokens} for the prompt
     * tokens taken from the slot's cache), else from llama-server's own {@code timings}:
     * {@code cache_n} tokens reused plus {@code prompt_n} processed.
     */
    public static Usage usage(JsonNode body) {
        JsonNode u = body.path(USAGE);
        JsonNode t = body.path(TIMINGS);
        if (u.has(PROMPT_TOKENS)) {
            int prompt = Math.max(0, u.path(PROMPT_TOKENS).asInt());
            int cached = u.path(PROMPT_TOKENS_DETAILS).path(CACHED_TOKENS).asInt(t.path("cache_n").asInt(0));
            return new Usage(prompt, Math.max(0, u.path(COMPLETION_TOKENS).asInt()), Math.max(0, Math.min(cached, prompt)));
        }
        if (t.has("predicted_n")) {
            int cached = Math.max(0, t.path("cache_n").asInt(0));
            int prompt = cached + Math.max(0, t.path("prompt_n").asInt(0));
            return new Usage(prompt, Math.max(0, t.path("predicted_n").asInt()), cached);
        }
        return new Usage(0, 0);
    }

    /** A fresh call id of OpenAI's shape, for calls a server sent without one. */
    static String newCallId() {
        char[] c = new char[24];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return "call_" + new String(c);
    }

    static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
