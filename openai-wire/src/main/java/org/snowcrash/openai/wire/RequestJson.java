package org.snowcrash.openai.wire;

import static org.snowcrash.openai.wire.WireNames.*;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.JsonSchema;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolSpec;

/**
 * Writes a {@link ChatRequest} as the body of {@code POST /chat/completions}: messages (with
 * {@code tool_calls} and {@code tool_call_id}), {@code tools}, {@code tool_choice},
 * {@code parallel_tool_calls}, {@code response_format}. {@link RequestReader} reads the same shape
 * back. Stateless and thread-safe.
 */
public final class RequestJson {

    /** A plain mapper: the trees built here hold only strings, numbers, booleans and parsed schemas. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private RequestJson() {
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
            b.put(MODEL, model);
        }
        b.set(MESSAGES, messages(request.messages()));
        b.put(MAX_TOKENS, request.maxTokens());
        b.put(STREAM, stream);
        if (stream) {
            b.putObject(STREAM_OPTIONS).put(INCLUDE_USAGE, true);
        }
        request.temperature().ifPresent(t -> b.put(TEMPERATURE, t));
        request.seed().ifPresent(s -> b.put(SEED, s));
        if (!request.stop().isEmpty()) {
            ArrayNode stop = b.putArray(STOP);
            request.stop().forEach(stop::add);
        }
        if (!request.tools().isEmpty()) {
            b.set(TOOLS, tools(request.tools()));
            b.set(TOOL_CHOICE, toolChoice(request.toolChoice()));
            // Only said when tools are offered: some servers refuse the field without tools.
            b.put(PARALLEL_TOOL_CALLS, request.parallelToolCalls());
        }
        if (request.responseFormat().isJson()) {
            b.set(RESPONSE_FORMAT, responseFormat(request.responseFormat()));
        }
        return b;
    }

    /** The {@code messages} array: assistant messages carry their calls, tool messages the id of the call they answer. */
    public static ArrayNode messages(List<ChatMessage> messages) {
        ArrayNode a = MAPPER.createArrayNode();
        for (ChatMessage m : messages) {
            ObjectNode o = a.addObject().put(ROLE, m.role().wireName()).put(CONTENT, m.content());
            if (m.hasToolCalls()) {
                ArrayNode calls = o.putArray(TOOL_CALLS);
                for (ToolCall c : m.toolCalls()) {
                    call(calls.addObject(), c);
                }
            }
            if (m.role() == ChatMessage.Role.TOOL) {
                o.put(TOOL_CALL_ID, m.toolCallId());
            }
        }
        return a;
    }

    /** One call as OpenAI writes it, in a request's assistant message and in an answer: {@code {id, type, function: {name, arguments}}}. */
    static void call(ObjectNode o, ToolCall c) {
        o.put(ID, c.id()).put(TYPE, FUNCTION_TYPE);
        o.putObject(FUNCTION).put(NAME, c.name()).put(ARGUMENTS, c.arguments());
    }

    /** The {@code tools} array: each a {@code function} with name, description and parameters. */
    public static ArrayNode tools(List<ToolSpec> tools) {
        ArrayNode a = MAPPER.createArrayNode();
        for (ToolSpec t : tools) {
            ObjectNode f = a.addObject().put(TYPE, FUNCTION_TYPE).putObject(FUNCTION);
            f.put(NAME, t.name());
            if (!t.description().isEmpty()) {
                f.put(DESCRIPTION, t.description());
            }
            f.set(PARAMETERS, schema(t.parameters()));
        }
        return a;
    }

    /** {@code "auto"}, {@code "none"}, {@code "required"} or {@code {"type":"function","function":{"name":...}}}. */
    public static JsonNode toolChoice(ToolChoice choice) {
        if (choice instanceof ToolChoice.Named n) {
            ObjectNode o = MAPPER.createObjectNode().put(TYPE, FUNCTION_TYPE);
            o.putObject(FUNCTION).put(NAME, n.name());
            return o;
        }
        return MAPPER.getNodeFactory().textNode(choice.describe());
    }

    /** {@code {"type":"json_object"}} or {@code {"type":"json_schema","json_schema":{name, schema, strict}}}. */
    public static ObjectNode responseFormat(ResponseFormat format) {
        ObjectNode o = MAPPER.createObjectNode();
        if (format instanceof ResponseFormat.JsonSchemaFormat s) {
            o.put(TYPE, JSON_SCHEMA);
            ObjectNode js = o.putObject(JSON_SCHEMA).put(NAME, s.name());
            js.set(SCHEMA, schema(s.schema()));
            js.put(STRICT, s.strict());
        } else if (format instanceof ResponseFormat.JsonObject) {
            o.put(TYPE, "json_object");
        } else {
            o.put(TYPE, TEXT);
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
}
