package org.snowcrash.openai;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.JsonSchema;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolSpec;
import org.snowcrash.api.Usage;

/**
 * The OpenAI chat API's JSON for requests and answers: messages (with {@code tool_calls} and
 * {@code tool_call_id}), {@code tools}, {@code tool_choice}, {@code parallel_tool_calls},
 * {@code response_format}, and the calls, reasoning and finish reason of an answer. Kept apart from
 * {@link OpenAiClient} so the wire format is one small class the tests can read. Stateless.
 */
public final class ChatJson {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    private ChatJson() {
    }

    /**
     * The body of {@code POST /chat/completions}.
     *
     * @param model  the {@code model} field, or {@code null} to leave it out
     * @param stream whether to ask for an SSE stream (with usage in its last chunk)
     */
    public static ObjectNode request(ChatRequest request, String model, boolean stream) {
        ObjectNode b = MAPPER.createObjectNode();
        if (model != null) {
            b.put("model", model);
        }
        b.set("messages", messages(request.messages()));
        b.put("max_tokens", request.maxTokens());
        b.put("stream", stream);
        if (stream) {
            b.putObject("stream_options").put("include_usage", true);
        }
        request.temperature().ifPresent(t -> b.put("temperature", t));
        request.seed().ifPresent(s -> b.put("seed", s));
        if (!request.stop().isEmpty()) {
            ArrayNode stop = b.putArray("stop");
            request.stop().forEach(stop::add);
        }
        if (!request.tools().isEmpty()) {
            b.set("tools", tools(request.tools()));
            b.set("tool_choice", toolChoice(request.toolChoice()));
            // Only said when tools are offered: some servers refuse the field without tools.
            b.put("parallel_tool_calls", request.parallelToolCalls());
        }
        if (request.responseFormat().isJson()) {
            b.set("response_format", responseFormat(request.responseFormat()));
        }
        return b;
    }

    /** The {@code messages} array: assistant messages carry their calls, tool messages the id of the call they answer. */
    public static ArrayNode messages(List<ChatMessage> messages) {
        ArrayNode a = MAPPER.createArrayNode();
        for (ChatMessage m : messages) {
            ObjectNode o = a.addObject().put("role", m.role().wireName()).put("content", m.content());
            if (m.hasToolCalls()) {
                ArrayNode calls = o.putArray("tool_calls");
                for (ToolCall c : m.toolCalls()) {
                    ObjectNode call = calls.addObject().put("id", c.id()).put("type", "function");
                    call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
                }
            }
            if (m.role() == ChatMessage.Role.TOOL) {
                o.put("tool_call_id", m.toolCallId());
            }
        }
        return a;
    }

    /** The {@code tools} array: each a {@code function} with name, description and parameters. */
    public static ArrayNode tools(List<ToolSpec> tools) {
        ArrayNode a = MAPPER.createArrayNode();
        for (ToolSpec t : tools) {
            ObjectNode f = a.addObject().put("type", "function").putObject("function");
            f.put("name", t.name());
            if (!t.description().isEmpty()) {
                f.put("description", t.description());
            }
            f.set("parameters", schema(t.parameters()));
        }
        return a;
    }

    /** {@code "auto"}, {@code "none"}, {@code "required"} or {@code {"type":"function","function":{"name":...}}}. */
    public static JsonNode toolChoice(ToolChoice choice) {
        if (choice instanceof ToolChoice.Named n) {
            ObjectNode o = MAPPER.createObjectNode().put("type", "function");
            o.putObject("function").put("name", n.name());
            return o;
        }
        return MAPPER.getNodeFactory().textNode(choice.describe());
    }

    /** {@code {"type":"json_object"}} or {@code {"type":"json_schema","json_schema":{name, schema, strict}}}. */
    public static ObjectNode responseFormat(ResponseFormat format) {
        ObjectNode o = MAPPER.createObjectNode();
        if (format instanceof ResponseFormat.JsonSchemaFormat s) {
            o.put("type", "json_schema");
            ObjectNode js = o.putObject("json_schema").put("name", s.name());
            js.set("schema", schema(s.schema()));
            js.put("strict", s.strict());
        } else if (format instanceof ResponseFormat.JsonObject) {
            o.put("type", "json_object");
        } else {
            o.put("type", "text");
        }
        return o;
    }

    /** A schema as a JSON tree (the record guarantees one well-formed object). */
    static JsonNode schema(JsonSchema schema) {
        try {
            return MAPPER.readTree(schema.json());
        } catch (IOException e) {
            throw new IllegalStateException("a checked JSON schema could not be parsed", e);
        }
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
            JsonNode f = c.path("function");
            String name = f.path("name").asText("");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("tool_calls[" + i + "] has no function name: " + abbreviate(c.toString()));
            }
            String id = c.path("id").asText("");
            calls.add(new ToolCall(id.isBlank() ? newCallId() : id, name, arguments(f.get("arguments"))));
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

    /**
     * Usage from {@code usage} (OpenAI's {@code prompt_tokens_details.cached_tokens} for the prompt
     * tokens taken from the slot's cache), else from llama-server's own {@code timings}:
     * {@code cache_n} tokens reused plus {@code prompt_n} processed.
     */
    static Usage usage(JsonNode body) {
        JsonNode u = body.path("usage");
        JsonNode t = body.path("timings");
        if (u.has("prompt_tokens")) {
            int prompt = Math.max(0, u.path("prompt_tokens").asInt());
            int cached = u.path("prompt_tokens_details").path("cached_tokens").asInt(t.path("cache_n").asInt(0));
            return new Usage(prompt, Math.max(0, u.path("completion_tokens").asInt()), Math.max(0, Math.min(cached, prompt)));
        }
        if (t.has("predicted_n")) {
            int cached = Math.max(0, t.path("cache_n").asInt(0));
            int prompt = cached + Math.max(0, t.path("prompt_n").asInt(0));
            return new Usage(prompt, Math.max(0, t.path("predicted_n").asInt()), cached);
        }
        return new Usage(0, 0);
    }
}
