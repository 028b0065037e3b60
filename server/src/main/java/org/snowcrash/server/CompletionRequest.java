package org.snowcrash.server;

import static org.snowcrash.server.FieldReader.refuse;
import static org.snowcrash.server.FieldReader.unsupported;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A {@code POST /v1/chat/completions} body, read the way OpenAI's API reads it, plus the
 * {@code "snowcrash"} extension object. Messages are read by {@link MessageReader}, tools and
 * response formats by {@link ToolFields}. What Snowcrash cannot honour (images, several choices,
 * the deprecated {@code functions}, nucleus sampling, penalties, log probabilities) is refused with
 * a 400 that names the field, never silently dropped; fields it does not know are ignored, as new
 * clients send new defaults.
 *
 * @param model        the catalog model the request is for
 * @param request      the request for the model
 * @param stream       whether to answer with server-sent events
 * @param includeUsage {@code stream_options.include_usage}: a last chunk with the token counts
 * @param sentences    extension {@code snowcrash.sentences}: {@code snowcrash.sentence} events in the stream
 * @param events       extension {@code snowcrash.events}: the model's lifecycle events in the stream
 */
record CompletionRequest(String model, ChatRequest request, boolean stream, boolean includeUsage,
                         boolean sentences, boolean events) {

    /** Numeric fields whose only acceptable value is the one that changes nothing. */
    private static final Map<String, Double> NEUTRAL = Map.of(
            "top_p", 1.0, "frequency_penalty", 0.0, "presence_penalty", 0.0, "n", 1.0);

    /**
     * Reads a request body.
     *
     * @param defaultMaxTokens the token limit when the request names none
     * @throws OpenAiError.Refused a 400 naming the field at fault
     */
    static CompletionRequest parse(ObjectMapper json, String body, int defaultMaxTokens) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw refuse(null, "invalid_json", "the body is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw refuse(null, "invalid_json", "the body must be a JSON object");
        }
        String model = FieldReader.text(root, "model", "model");
        if (model == null || model.isBlank()) {
            throw refuse("model", "missing_required_parameter", "'model' is required: a catalog model id (GET /v1/models lists them)");
        }
        for (Map.Entry<String, Double> n : NEUTRAL.entrySet()) {
            JsonNode v = root.get(n.getKey());
            if (v != null && !v.isNull() && !(v.isNumber() && v.asDouble() == n.getValue())) {
                throw unsupported(n.getKey(), "is not supported; only " + n.getValue().toString().replace(".0", "")
                        + " (the default) is accepted");
            }
        }
        JsonNode logprobs = root.get("logprobs");
        if (logprobs != null && !logprobs.isNull() && !(logprobs.isBoolean() && !logprobs.asBoolean())) {
            throw unsupported("logprobs", "is not supported");
        }
        for (String field : List.of("functions", "logit_bias", "top_logprobs", "audio", "prediction")) {
            JsonNode v = root.get(field);
            if (v != null && !v.isNull() && !(v.isContainerNode() && v.isEmpty())) {
                throw unsupported(field, "is not supported by snowcrash serve");
            }
        }
        if (root.hasNonNull("function_call")) {
            throw unsupported("function_call", "(the deprecated function calling) is not supported; use tools and tool_choice");
        }
        ToolFields tools = ToolFields.read(root);
        List<ChatMessage> messages = MessageReader.read(root.get("messages"));
        int maxTokens = defaultMaxTokens;
        for (String field : List.of("max_tokens", "max_completion_tokens")) { // the newer name wins
            JsonNode v = root.get(field);
            if (v != null && !v.isNull()) {
                if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
                    throw refuse(field, "invalid_value", "'" + field + "' must be a whole number of at least 1");
                }
                maxTokens = v.asInt();
            }
        }
        OptionalDouble temperature = OptionalDouble.empty();
        JsonNode t = root.get("temperature");
        if (t != null && !t.isNull()) {
            if (!t.isNumber() || t.asDouble() < 0 || t.asDouble() > 2) {
                throw refuse("temperature", "invalid_value", "'temperature' must be a number from 0 to 2");
            }
            temperature = OptionalDouble.of(t.asDouble());
        }
        OptionalLong seed = OptionalLong.empty();
        JsonNode s = root.get("seed");
        if (s != null && !s.isNull()) {
            if (!s.isIntegralNumber() || !s.canConvertToLong()) {
                throw refuse("seed", "invalid_value", "'seed' must be a whole number");
            }
            seed = OptionalLong.of(s.asLong());
        }
        List<String> stop = stop(root.get("stop"));
        boolean stream = FieldReader.bool(root, "stream", "stream", false);
        boolean includeUsage = stream && root.path("stream_options").path("include_usage").asBoolean(false);
        JsonNode ext = root.path("snowcrash");
        ChatRequest request;
        try {
            request = new ChatRequest(messages, maxTokens, temperature, seed, stop, tools.tools(), tools.toolChoice(),
                    tools.parallel(), tools.responseFormat());
        } catch (IllegalArgumentException e) {
            throw refuse("messages", "invalid_value", e.getMessage());
        }
        return new CompletionRequest(model.strip(), request, stream, includeUsage,
                stream && ext.path("sentences").asBoolean(false), stream && ext.path("events").asBoolean(false));
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
                    throw refuse("stop", "invalid_value", "'stop' must be a string or an array of strings");
                }
                out.add(n.asText());
            });
        } else {
            throw refuse("stop", "invalid_value", "'stop' must be a string or an array of strings");
        }
        if (out.stream().anyMatch(String::isEmpty)) {
            throw refuse("stop", "invalid_value", "stop strings must not be empty");
        }
        return out;
    }
}
