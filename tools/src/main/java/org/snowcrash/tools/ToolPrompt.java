package org.snowcrash.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolSpec;

/**
 * Snowcrash's own tool format (docs/tool-format.md): the tools written into the system message,
 * calls written as one line of compact JSON each, and a conversation with calls and tool results
 * turned into the system, user and assistant messages every chat template knows.
 *
 * <p>The demo model was trained on exactly this text, and the in-process backend, which has no
 * native tool support, renders every model's tools this way; a fixture written by the training
 * script (training/tool-prompt-cases.json) keeps the two renderings identical. Stateless.
 */
public final class ToolPrompt {

    /** The last line of the tools block. */
    public static final String CALL_INSTRUCTION =
            "Call a tool by answering {\"name\":\"<tool>\",\"arguments\":{<arguments>}}, one call per line.";

    private ToolPrompt() {
    }

    /**
     * The conversation as system, user and assistant messages only, with {@code tools} (may be
     * empty: then only calls and results of earlier turns are rewritten) in the system message.
     */
    public static List<ChatMessage> render(List<ChatMessage> messages, List<ToolSpec> tools) {
        List<ChatMessage> out = new ArrayList<>(messages.size() + 1);
        Map<String, String> toolOfCall = new HashMap<>();
        int i = 0;
        if (!tools.isEmpty()) {
            String block = toolsBlock(tools);
            if (!messages.isEmpty() && messages.get(0).role() == ChatMessage.Role.SYSTEM) {
                out.add(ChatMessage.system(messages.get(0).content() + "\n" + block));
                i = 1;
            } else {
                out.add(ChatMessage.system(block));
            }
        }
        StringBuilder results = null;
        for (; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (m.role() == ChatMessage.Role.TOOL) {
                String line = "Result of " + toolOfCall.getOrDefault(m.toolCallId(), "tool") + ": " + m.content();
                results = results == null ? new StringBuilder(line) : results.append('\n').append(line);
                continue;
            }
            if (results != null) {
                out.add(ChatMessage.user(results.toString()));
                results = null;
            }
            if (m.hasToolCalls()) {
                List<String> lines = new ArrayList<>();
                if (!m.content().isEmpty()) {
                    lines.add(m.content());
                }
                for (ToolCall c : m.toolCalls()) {
                    toolOfCall.put(c.id(), c.name());
                    lines.add(callLine(c));
                }
                out.add(ChatMessage.assistant(String.join("\n", lines)));
            } else {
                out.add(new ChatMessage(m.role(), m.content()));
            }
        }
        if (results != null) {
            out.add(ChatMessage.user(results.toString()));
        }
        return out;
    }

    /** {@code Tools:}, one line per tool, then {@link #CALL_INSTRUCTION}. */
    public static String toolsBlock(List<ToolSpec> tools) {
        StringBuilder b = new StringBuilder("Tools:\n");
        for (ToolSpec t : tools) {
            b.append("- ").append(signature(t));
            if (!t.description().isEmpty()) {
                b.append(": ").append(t.description());
            }
            b.append('\n');
        }
        return b.append(CALL_INSTRUCTION).toString();
    }

    /** {@code move(direction: forward|backward, meters: number)}. */
    public static String signature(ToolSpec tool) {
        ObjectNode schema = Json.schema(tool.parameters());
        Set<String> required = new HashSet<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        List<String> params = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> props = schema.path("properties").fields();
        while (props.hasNext()) {
            Map.Entry<String, JsonNode> p = props.next();
            params.add(p.getKey() + (required.contains(p.getKey()) ? "" : "?") + ": " + typeOf(p.getValue()));
        }
        return tool.name() + "(" + String.join(", ", params) + ")";
    }

    /** A call as the model writes it: {@code {"name":"move","arguments":{"meters":3}}}, compact. */
    public static String callLine(ToolCall call) {
        String args = Json.parse(call.arguments()).map(Json::compact).orElse(call.arguments());
        return "{\"name\":" + Json.compact(Json.MAPPER.getNodeFactory().textNode(call.name())) + ",\"arguments\":" + args + "}";
    }

    private static String typeOf(JsonNode property) {
        JsonNode e = property.get("enum");
        if (e != null && e.isArray()) {
            List<String> values = new ArrayList<>();
            e.forEach(v -> values.add(v.isTextual() ? v.asText() : Json.compact(v)));
            return String.join("|", values);
        }
        if (property.has("const")) {
            return Json.compact(property.get("const"));
        }
        JsonNode type = property.get("type");
        if (type != null && type.isTextual()) {
            return type.asText();
        }
        if (type != null && type.isArray()) {
            List<String> types = new ArrayList<>();
            type.forEach(v -> types.add(v.asText()));
            return String.join("|", types);
        }
        return "any";
    }
}
