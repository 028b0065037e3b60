package org.snowcrash.api;

import java.util.Objects;

/**
 * A piece of a tool call while it streams, as the OpenAI API's {@code delta.tool_calls[i]} carries
 * it: the first piece of a call has its {@code id} and {@code name}, later pieces only a fragment of
 * its arguments. Concatenated in order, a call's fragments are its {@link ToolCall#arguments()}.
 *
 * @param index     which call of the answer (0 for the first)
 * @param id        the call's id in its first piece, else empty
 * @param name      the tool's name in its first piece, else empty
 * @param arguments a fragment of the arguments' JSON text; may be empty
 */
public record ToolCallDelta(int index, String id, String name, String arguments) {
    public ToolCallDelta {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
        if (index < 0) {
            throw new IllegalArgumentException("index must not be negative");
        }
    }

    /** Whether this is the first piece of a call (it names the call). */
    public boolean opensCall() {
        return !id.isEmpty();
    }
}
