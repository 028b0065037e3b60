package org.snowcrash.server;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
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
 * {@code "snowcrash"} extension object. What Snowcrash cannot honour (tools, images, several
 * choices, JSON modes, nucleus sampling, penalties, log probabilities) is refused with a 400 that
 * names the field, never silently dropped; fields it does not know are ignored, as new clients
 * send new defaults.
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
        String model = text(root, "model");
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
        for (String field : List.of("tools", "functions", "logit_bias", "top_logprobs", "audio", "prediction")) {
            JsonNode v = root.get(field);
            if (v != null && !v.isNull() && !(v.isContainerNode() && v.isEmpty())) {
                throw unsupported(field, "is not supported by snowcrash serve");
            }
        }
        JsonNode toolChoice = root.get("tool_choice");
        if (toolChoice != null && !toolChoice.isNull() && !"none".equals(toolChoice.asText())) {
            throw unsupported("tool_choice", "tools are not supported");
        }
        JsonNode format = root.get("response_format");
        if (format != null && !format.isNull() && !"text".equals(format.path("type").asText())) {
            throw unsupported("response_format", "only {\"type\": \"text\"} is supported");
        }
        List<ChatMessage> messages = messages(root.get("messages"));
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
        boolean stream = bool(root, "stream");
        boolean includeUsage = stream && root.path("stream_options").path("include_usage").asBoolean(false);
        JsonNode ext = root.path("snowcrash");
        ChatRequest request;
        try {
            request = new ChatRequest(messages, maxTokens, temperature, seed, stop);
        } catch (IllegalArgumentException e) {
            throw refuse("messages", "invalid_value", e.getMessage());
        }
        return new CompletionRequest(model.strip(), request, stream, includeUsage,
                stream && ext.path("sentences").asBoolean(false), stream && ext.path("events").asBoolean(false));
    }

    private static List<ChatMessage> messages(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw refuse("messages", "missing_required_parameter", "'messages' must be a non-empty array");
        }
        List<ChatMessage> out = new ArrayList<>();
        StringBuilder system = new StringBuilder();
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) {
                throw refuse(where, "invalid_value", where + " must be an object with 'role' and 'content'");
            }
            String role = m.path("role").asText("").toLowerCase(Locale.ROOT);
            if (m.hasNonNull("tool_calls") || m.hasNonNull("function_call")) {
                throw unsupported(where + ".tool_calls", "tool calls are not supported");
            }
            String content = content(m.get("content"), where, role.equals("assistant"));
            switch (role) {
                case "system", "developer" -> {
                    if (!out.isEmpty()) {
                        throw refuse(where, "invalid_value", "system messages must come before the others");
                    }
                    system.append(system.length() == 0 ? "" : "\n\n").append(content);
                }
                case "user" -> out.add(ChatMessage.user(content));
                case "assistant" -> out.add(ChatMessage.assistant(content));
                case "tool", "function" -> throw unsupported(where + ".role", "tool messages are not supported");
                default -> throw refuse(where + ".role", "invalid_value",
                        "role must be system, developer, user or assistant, not '" + role + "'");
            }
        }
        if (system.length() > 0) {
            out.add(0, ChatMessage.system(system.toString()));
        }
        return out;
    }

    /** A message's text: a string, or an array of text parts (joined by line breaks). */
    private static String content(JsonNode c, String where, boolean mayBeNull) {
        if (c == null || c.isNull()) {
            if (mayBeNull) {
                return "";
            }
            throw refuse(where + ".content", "missing_required_parameter", where + ".content is required");
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (c.isArray()) {
            StringBuilder b = new StringBuilder();
            for (Iterator<JsonNode> it = c.elements(); it.hasNext(); ) {
                JsonNode part = it.next();
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw unsupported(where + ".content", "only text parts are supported, not '"
                            + part.path("type").asText("?") + "'");
                }
                b.append(b.length() == 0 ? "" : "\n").append(part.get("text").asText());
            }
            return b.toString();
        }
        throw refuse(where + ".content", "invalid_value", where + ".content must be a string or an array of text parts");
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

    private static String text(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw refuse(field, "invalid_value", "'" + field + "' must be a string");
        }
        return v.asText();
    }

    private static boolean bool(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw refuse(field, "invalid_value", "'" + field + "' must be true or false");
        }
        return v.asBoolean();
    }

    private static OpenAiError.Refused unsupported(String param, String message) {
        return refuse(param, "unsupported_parameter", "'" + param + "' " + message);
    }

    private static OpenAiError.Refused refuse(String param, String code, String message) {
        return new OpenAiError.Refused(OpenAiError.badRequest(param, code, message));
    }
}
