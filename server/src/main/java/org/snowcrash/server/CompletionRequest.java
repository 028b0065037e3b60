package org.snowcrash.server;

import java.util.List;
import java.util.Map;

import org.snowcrash.api.ChatRequest;
import org.snowcrash.openai.wire.FieldRefusal;
import org.snowcrash.openai.wire.RequestReader;
import org.snowcrash.openai.wire.WireRequest;
import org.snowcrash.tools.SchemaCheck;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A {@code POST /v1/chat/completions} body, read the way OpenAI's API reads it, plus the
 * {@code "snowcrash"} extension object. The OpenAI shape is read by openai-wire's
 * {@link RequestReader} (every schema checked against JSON Schema's meta-schema on the way); here
 * is what only this server says: what Snowcrash cannot honour (images, several choices, the
 * deprecated {@code functions}, nucleus sampling, penalties, log probabilities) is refused with a
 * 400 that names the field, never silently dropped; fields it does not know are ignored, as new
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
        try {
            return read(json, body, defaultMaxTokens);
        } catch (FieldRefusal e) {
            throw new OpenAiError.Refused(OpenAiError.badRequest(e.param(), e.code(), e.getMessage()));
        }
    }

    private static CompletionRequest read(ObjectMapper json, String body, int defaultMaxTokens) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new FieldRefusal(null, "invalid_json", "the body is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new FieldRefusal(null, "invalid_json", "the body must be a JSON object");
        }
        RequestReader.model(root); // first: a body without a model is refused for that before anything else
        for (Map.Entry<String, Double> n : NEUTRAL.entrySet()) {
            JsonNode v = root.get(n.getKey());
            if (v != null && !v.isNull() && !(v.isNumber() && v.asDouble() == n.getValue())) {
                throw FieldRefusal.unsupported(n.getKey(), "is not supported; only " + n.getValue().toString().replace(".0", "")
                        + " (the default) is accepted");
            }
        }
        JsonNode logprobs = root.get("logprobs");
        if (logprobs != null && !logprobs.isNull() && !(logprobs.isBoolean() && !logprobs.asBoolean())) {
            throw FieldRefusal.unsupported("logprobs", "is not supported");
        }
        for (String field : List.of("functions", "logit_bias", "top_logprobs", "audio", "prediction")) {
            JsonNode v = root.get(field);
            if (v != null && !v.isNull() && !(v.isContainerNode() && v.isEmpty())) {
                throw FieldRefusal.unsupported(field, "is not supported by snowcrash serve");
            }
        }
        if (root.hasNonNull("function_call")) {
            throw FieldRefusal.unsupported("function_call", "(the deprecated function calling) is not supported; use tools and tool_choice");
        }
        WireRequest wire = RequestReader.read(root, defaultMaxTokens, SchemaCheck::schemaProblem);
        JsonNode ext = root.path("snowcrash");
        return new CompletionRequest(wire.model(), wire.request(), wire.stream(), wire.includeUsage(),
                wire.stream() && ext.path("sentences").asBoolean(false), wire.stream() && ext.path("events").asBoolean(false));
    }
}
