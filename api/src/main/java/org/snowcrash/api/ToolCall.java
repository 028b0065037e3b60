package org.snowcrash.api;

import java.util.Objects;

/**
 * One call the model made.
 *
 * @param id        the call's id, unique in its conversation; a tool result answers it by this id
 * @param name      the tool's name
 * @param arguments the arguments as JSON text (an object); validated against the tool's schema
 *                  before any front end hands the call over
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
        if (id.isBlank()) {
            throw new IllegalArgumentException("a tool call needs an id");
        }
        ToolSpec.checkName(name);
    }
}
