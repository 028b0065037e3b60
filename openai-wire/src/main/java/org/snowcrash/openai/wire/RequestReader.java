package org.snowcrash.openai.wire;

import static org.snowcrash.openai.wire.FieldReader.refuse;
import static org.snowcrash.openai.wire.WireNames.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Function;

import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.JsonSchema;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads a {@code POST /chat/completions} body the way OpenAI's API reads it, strictly: the shape
 * {@link RequestJson} writes, and what other clients send besides (several system messages, text
 * parts, {@code max_completion_tokens}, {@code stop} as one string, arguments as an object). Every
 * problem is a {@link FieldRefusal} naming the field. Fields it does not know are ignored: what a
 * server refuses beyond the shape (sampling it cannot honour, extensions) is the server's business.
 * Stateless and thread-safe.
 */
public final class RequestReader {

    private RequestReader() {
    }

    /**
     * The {@code model} field.
     *
     * @throws FieldRefusal when it is missing, blank or not a string
     */
    public static String model(JsonNode root) {
        String model = FieldReader.text(root, MODEL, MODEL);
        if (model == null || model.isBlank()) {
            throw refuse(MODEL, "missing_required_parameter", "'model' is required: a catalog model id (GET /v1/models lists them)");
        }
        return model.strip();
    }

    /**
     * Reads a request's root object.
     *
     * @param defaultMaxTokens the token limit when the request names none
     * @param schemaProblem    what is wrong with a tool's or a response format's schema beyond its being
     *                         an object (for example against JSON Schema's meta-schema), or empty
     * @throws FieldRefusal naming the field at fault
     */
    public static WireRequest read(JsonNode root, int defaultMaxTokens, Function<JsonSchema, Optional<String>> schemaProblem) {
        String model = model(root);
        ToolFields tools = ToolFields.read(root, schemaProblem);
        List<ChatMessage> messages = MessageReader.read(root.get(MESSAGES));
        int maxTokens = defaultMaxTokens;
        for (String field : List.of(MAX_TOKENS, MAX_COMPLETION_TOKENS)) { // the newer name wins
            JsonNode v = root.get(field);
            if (v != null && !v.isNull()) {
                if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
                    throw refuse(field, "invalid_value", "'" + field + "' must be a whole number of at least 1");
                }
                maxTokens = v.asInt();
            }
        }
        OptionalDouble temperature = OptionalDouble.empty();
        JsonNode t = root.get(TEMPERATURE);
        if (t != null && !t.isNull()) {
            if (!t.isNumber() || t.asDouble() < 0 || t.asDouble() > 2) {
                throw refuse(TEMPERATURE, "invalid_value", "'temperature' must be a number from 0 to 2");
            }
            temperature = OptionalDouble.of(t.asDouble());
        }
        OptionalLong seed = OptionalLong.empty();
        JsonNode s = root.get(SEED);
        if (s != null && !s.isNull()) {
            if (!s.isIntegralNumber() || !s.canConvertToLong()) {
                throw refuse(SEED, "invalid_value", "'seed' must be a whole number");
            }
            seed = OptionalLong.of(s.asLong());
        }
        List<String> stop = stop(root.get(STOP));
        boolean stream = FieldReader.bool(root, STREAM, STREAM, false);
        boolean includeUsage = stream && root.path(STREAM_OPTIONS).path(INCLUDE_USAGE).asBoolean(false);
        ChatRequest request;
        try {
            request = new ChatRequest(messages, maxTokens, temperature, seed, stop, tools.tools(), tools.toolChoice(),
                    tools.parallel(), tools.responseFormat());
        } catch (IllegalArgumentException e) {
            throw refuse(MESSAGES, "invalid_value", e.getMessage());
        }
        return new WireRequest(model, request, stream, includeUsage);
    }

    private static List<String> stop(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(node.asText());
        } else if (node.isArray()) {
            node.forEach(n -> {
                if (!n.isTextual()) {
                    throw refuse(STOP, "invalid_value", "'stop' must be a string or an array of strings");
                }
                out.add(n.asText());
            });
        } else {
            throw refuse(STOP, "invalid_value", "'stop' must be a string or an array of strings");
        }
        if (out.stream().anyMatch(String::isEmpty)) {
            throw refuse(STOP, "invalid_value", "stop strings must not be empty");
        }
        return out;
    }
}
