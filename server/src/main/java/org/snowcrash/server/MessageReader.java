package org.snowcrash.server;

import static org.snowcrash.server.FieldReader.refuse;
import static org.snowcrash.server.FieldReader.unsupported;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolSpec;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads a request's {@code messages} the way OpenAI's API takes them: system (or developer),
 * user, assistant (with {@code tool_calls}) and tool messages (with {@code tool_call_id}). Every
 * refusal names the field at fault with its index ({@code messages[3].tool_call_id}). Stateless.
 */
final class MessageReader {

    private MessageReader() {
    }

    /**
     * The conversation, with all system messages joined into one first message (OpenAI accepts
     * several, our requests hold one).
     *
     * @throws OpenAiError.Refused a 400 naming the field at fault
     */
    static List<ChatMessage> read(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw refuse("messages", "missing_required_parameter", "'messages' must be a non-empty array");
        }
        List<ChatMessage> out = new ArrayList<>();
        StringBuilder system = new StringBuilder();
        Set<String> callIds = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) {
                throw refuse(where, "invalid_value", where + " must be an object with 'role' and 'content'");
            }
            String role = m.path("role").asText("").toLowerCase(Locale.ROOT);
            if (m.hasNonNull("function_call")) {
                throw unsupported(where + ".function_call", "(the deprecated function calling) is not supported; use tool_calls");
            }
            if (m.hasNonNull("tool_calls") && !role.equals("assistant")) {
                throw refuse(where + ".tool_calls", "invalid_value", "only assistant messages hold tool_calls, not " + role + " messages");
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
                case "assistant" -> {
                    List<ToolCall> calls = calls(m.get("tool_calls"), where + ".tool_calls");
                    calls.forEach(c -> callIds.add(c.id()));
                    out.add(ChatMessage.assistant(content, calls));
                }
                case "tool" -> {
                    JsonNode id = m.get("tool_call_id");
                    if (id == null || !id.isTextual() || id.asText().isBlank()) {
                        throw refuse(where + ".tool_call_id", "missing_required_parameter",
                                where + ".tool_call_id is required: the id of the call this message answers");
                    }
                    if (!callIds.contains(id.asText())) {
                        throw refuse(where + ".tool_call_id", "invalid_value", where + " answers call '" + id.asText()
                                + "', which no earlier assistant message made (calls so far: " + callIds.stream().sorted().toList() + ")");
                    }
                    out.add(ChatMessage.toolResult(id.asText(), content));
                }
                case "function" -> throw unsupported(where + ".role", "(the deprecated function role) is not supported; use tool messages");
                default -> throw refuse(where + ".role", "invalid_value",
                        "role must be system, developer, user, assistant or tool, not '" + role + "'");
            }
        }
        if (system.length() > 0) {
            out.add(0, ChatMessage.system(system.toString()));
        }
        return out;
    }

    /** An assistant message's {@code tool_calls}: {@code [{id, type: "function", function: {name, arguments}}]}. */
    private static List<ToolCall> calls(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw refuse(where, "invalid_value", "'" + where + "' must be an array of calls");
        }
        List<ToolCall> calls = new ArrayList<>();
        for (int j = 0; j < node.size(); j++) {
            JsonNode c = node.get(j);
            String at = where + "[" + j + "]";
            if (!c.path("id").isTextual() || c.path("id").asText().isBlank()) {
                throw refuse(at + ".id", "missing_required_parameter", at + ".id is required");
            }
            if (c.has("type") && !"function".equals(c.path("type").asText())) {
                throw unsupported(at + ".type", "must be \"function\", not " + c.get("type"));
            }
            JsonNode fn = c.path("function");
            String name = fn.path("name").asText("");
            try {
                ToolSpec.checkName(name);
            } catch (IllegalArgumentException e) {
                throw refuse(at + ".function.name", "invalid_value", at + ".function.name: " + e.getMessage());
            }
            JsonNode args = fn.get("arguments");
            String arguments;
            if (args == null || args.isNull()) {
                arguments = "{}";
            } else if (args.isTextual()) {
                arguments = args.asText(); // as the model wrote them; the model sees them again as they were
            } else if (args.isObject()) {
                arguments = args.toString(); // lenient: some clients send the object itself
            } else {
                throw refuse(at + ".function.arguments", "invalid_value", at + ".function.arguments must be a JSON text (a string)");
            }
            calls.add(new ToolCall(c.get("id").asText(), name, arguments));
        }
        return calls;
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
}
