package org.snowcrash.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A function the model may call: what the OpenAI API calls a tool of type {@code function}.
 *
 * @param name        how the model names it: letters, digits, {@code _} and {@code -}, 1 to 64 of them
 * @param description what it does, for the model (keep it short: it takes room in the context); may be empty
 * @param parameters  the JSON Schema of its arguments, an object schema
 */
public record ToolSpec(String name, String description, JsonSchema parameters) {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    public ToolSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(parameters, "parameters");
        checkName(name);
    }

    /** A tool whose parameters are the given JSON Schema text. */
    public static ToolSpec of(String name, String description, String parametersSchema) {
        return new ToolSpec(name, description, JsonSchema.of(parametersSchema));
    }

    /**
     * Checks a tool name as the OpenAI API does: {@code [a-zA-Z0-9_-]{1,64}}.
     *
     * @throws IllegalArgumentException naming the bad name
     */
    public static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("tool name '" + name + "' must match [a-zA-Z0-9_-]{1,64}");
        }
    }
}
