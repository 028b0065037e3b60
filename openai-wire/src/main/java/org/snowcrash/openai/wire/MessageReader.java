package org.snowcrash.openai.wire;

import static org.snowcrash.openai.wire.FieldReader.refuse;
import static org.snowcrash.openai.wire.FieldReader.unsupported;
import static org.snowcrash.openai.wire.WireNames.*;

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
     * @throws FieldRefusal naming the field at fault
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
            String role = m.path(ROLE).asText("").toLowerCase(Locale.ROOT);
            if (m.hasNonNull(FUNCTION_CALL)) {
                throw unsupported(where + ".function_call", "(the deprecated function calling) is not supported; use tool_calls");
            }
            if (m.hasNonNull(TOOL_CALLS) && !role.equals("assistant")) {
                throw refuse(where + ".tool_calls", "invalid_value", "only assistant messages hold tool_calls, not " + role + " messages");
            }
            String content = content(m.get(CONTENT), where, role.equals("assistant"));
            switch (role) {
                case "system", "developer" -> {
                    if (!out.isEmpty()) {
                        throw refuse(where, "invalid_value", "system messages must come before the others");
                    }
                    system.append(system.length() == 0 ? "" : "\n\n").append(content);
                }
                case "user" -> out.add(ChatMessage.user(content));
                case "assistant" -> {
                    List<ToolCall> calls = calls(m.get(TOOL_CALLS), where + ".tool_calls");
                    calls.forEach(c -> callIds.add(c.id()));
                    out.add(ChatMessage.assistant(content, calls));
                }
                case "tool" -> {
                    JsonNode id = m.get(TOOL_CALL_ID);
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
            if (!c.path(ID).isTextual() || c.path(ID).asText().isBlank()) {
                throw refuse(at + ".id", "missing_required_parameter", at + ".id is required");
            }
            if (c.has(TYPE) && !"function".equals(c.path(TYPE).asText())) {
                throw unsupported(at + ".type", "must be \"function\", not " + c.get(TYPE));
            }
            JsonNode fn = c.path(FUNCTION);
            String name = fn.path(NAME).asText("");
            try {
                ToolSpec.checkName(name);
            } catch (IllegalArgumentException e) {
                throw refuse(at + ".function.name", "invalid_value", at + ".function.name: " + e.getMessage());
            }
            JsonNode args = fn.get(ARGUMENTS);
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
            calls.add(new ToolCall(c.get(ID).asText(), name, arguments));
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
                if (!"text".equals(part.path(TYPE).asText()) || !part.path(TEXT).isTextual()) {
                    throw unsupported(where + ".content", "only text parts are supported, not '"
                            + part.path(TYPE).asText("?") + "'");
                }
                b.append(b.length() == 0 ? "" : "\n").append(part.get(TEXT).asText());
            }
            return b.toString();
        }
        throw refuse(where + ".content", "invalid_value", where + ".content must be a string or an array of text parts");
    }
}
