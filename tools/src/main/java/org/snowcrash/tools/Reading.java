package org.snowcrash.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.snowcrash.api.ToolCall;

/**
 * What an answer in Snowcrash's tool format says: text, calls, or something that began as calls
 * and is not. An answer whose first non-blank character is <code>{</code> is read as calls, one
 * compact JSON object <code>{"name":...,"arguments":{...}}</code> per line.
 */
public sealed interface Reading {

    /** A text answer. */
    record Text(String text) implements Reading {
    }

    /** One or more calls, each with a fresh id. */
    record Calls(List<ToolCall> calls) implements Reading {
        public Calls {
            calls = List.copyOf(calls);
        }
    }

    /** The answer began as a call but is not one; {@code problem} says why. */
    record Malformed(String problem, String answer) implements Reading {
    }

    /** Reads a whole answer. */
    static Reading of(String answer) {
        if (!startsCall(answer)) {
            return new Text(answer);
        }
        List<ToolCall> calls = new ArrayList<>();
        for (String line : answer.strip().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Reading one = line(line);
            if (one instanceof Calls c) {
                calls.addAll(c.calls());
            } else {
                return one instanceof Malformed m ? new Malformed(m.problem(), answer) : one;
            }
        }
        return new Calls(calls);
    }

    /** Whether an answer (or its beginning) is read as calls: its first non-blank character is <code>{</code>. */
    static boolean startsCall(CharSequence answer) {
        for (int i = 0; i < answer.length(); i++) {
            char ch = answer.charAt(i);
            if (!Character.isWhitespace(ch)) {
                return ch == '{';
            }
        }
        return false;
    }

    /** One call line. */
    static Reading line(String line) {
        JsonNode node = Json.parse(line.strip()).orElse(null);
        if (node == null || !node.isObject()) {
            return new Malformed("a call must be one JSON object per line, got: " + abbreviate(line), line);
        }
        JsonNode name = node.get("name");
        JsonNode args = node.get("arguments");
        if (name == null || !name.isTextual() || !name.asText().matches("[a-zA-Z0-9_-]{1,64}")) {
            return new Malformed("a call needs a \"name\" that is a tool's name, got: " + abbreviate(line), line);
        }
        if (args == null || !args.isObject()) {
            return new Malformed("a call to " + name.asText() + " needs \"arguments\" that are a JSON object, got: " + abbreviate(line), line);
        }
        return new Calls(List.of(new ToolCall(CallIds.next(), name.asText(), Json.compact(args))));
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.length() <= 120 ? t : t.substring(0, 120) + "...";
    }
}
