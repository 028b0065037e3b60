package org.snowcrash.openai.wire;

import static org.snowcrash.openai.wire.WireNames.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolCallDelta;

/**
 * Puts streamed tool calls back together: each chunk's {@code delta.tool_calls[]} entries, keyed by
 * their {@code index}, the first of a call carrying its {@code id} and {@code function.name}, later
 * ones fragments of {@code function.arguments}. Each entry is also turned into a
 * {@link ToolCallDelta} for the caller's sink, with the id and name only on the call's first piece
 * (some servers repeat them on every piece; the sink sees them once).
 *
 * <p>One instance per streamed answer, used on the thread that reads the stream; not thread-safe.
 */
public final class ToolCallAssembler {

    private static final class Building {
        final String id;
        String name;
        final StringBuilder arguments = new StringBuilder();

        Building(String id, String name) {
            this.id = id;
            this.name = name;
        }
    }

    private final Map<Integer, Building> calls = new TreeMap<>();

    /**
     * Takes one chunk's {@code delta.tool_calls} array and returns the deltas to hand on, in order.
     *
     * @throws IllegalArgumentException when an entry continues a call never opened and names none,
     *                                  or a call has no name once opened
     */
    public List<ToolCallDelta> add(JsonNode toolCalls) {
        List<ToolCallDelta> out = new ArrayList<>();
        if (toolCalls == null || !toolCalls.isArray()) {
            return out;
        }
        for (JsonNode entry : toolCalls) {
            // OpenAI always sends the index; a server that leaves it out sends one call at a time.
            int index = entry.has(INDEX) ? entry.get(INDEX).asInt() : Math.max(0, calls.size() - 1);
            if (index < 0) {
                throw new IllegalArgumentException("a tool call delta has a negative index: " + entry);
            }
            JsonNode f = entry.path(FUNCTION);
            String name = f.path(NAME).asText("");
            String fragment = ResponseReader.arguments(f.get(ARGUMENTS));
            Building b = calls.get(index);
            if (b == null) {
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("tool call " + index + " streamed arguments before its function name: "
                            + ResponseReader.abbreviate(entry.toString()));
                }
                String id = entry.path(ID).asText("");
                b = new Building(id.isBlank() ? ResponseReader.newCallId() : id, name);
                calls.put(index, b);
                b.arguments.append(fragment);
                out.add(new ToolCallDelta(index, b.id, name, fragment));
            } else {
                b.arguments.append(fragment);
                if (!fragment.isEmpty()) {
                    out.add(new ToolCallDelta(index, "", "", fragment));
                }
            }
        }
        return out;
    }

    /** Whether any call has been opened. */
    public boolean hasCalls() {
        return !calls.isEmpty();
    }

    /** The calls assembled so far, in index order, each with its arguments' whole text. */
    public List<ToolCall> calls() {
        List<ToolCall> out = new ArrayList<>();
        for (Building b : calls.values()) {
            out.add(new ToolCall(b.id, b.name, b.arguments.toString()));
        }
        return out;
    }
}
