package org.snowcrash.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A tool call's arguments, read by name: what a Java tool receives instead of JSON text. The
 * arguments were checked against the tool's schema before the tool runs (the runtime refuses a call
 * that does not validate), so a tool may rely on what its schema requires; reading a missing or
 * mistyped argument throws {@link IllegalArgumentException} with the argument's name, which an
 * {@code Agent} reports back to the model as the tool's result.
 */
public final class ToolArguments {

    private final String json;
    private final JsonNode node;

    private ToolArguments(String json, JsonNode node) {
        this.json = json;
        this.node = node;
    }

    /**
     * Parses a call's arguments.
     *
     * @throws IllegalArgumentException when the text is not a JSON object
     */
    public static ToolArguments parse(String json) {
        Objects.requireNonNull(json, "json");
        JsonNode node = Json.parse(json).orElseThrow(() -> new IllegalArgumentException("the arguments are not JSON: " + json));
        if (!node.isObject()) {
            throw new IllegalArgumentException("the arguments are not a JSON object: " + json);
        }
        return new ToolArguments(json, node);
    }

    /** The arguments as the model wrote them (JSON text). */
    public String json() {
        return json;
    }

    /** Whether the argument is present (and not {@code null}). */
    public boolean has(String name) {
        JsonNode v = node.get(name);
        return v != null && !v.isNull();
    }

    /** A string argument. */
    public String string(String name) {
        JsonNode v = required(name);
        if (!v.isTextual()) {
            throw new IllegalArgumentException("argument '" + name + "' is not a string: " + v);
        }
        return v.textValue();
    }

    /** A number argument. */
    public double number(String name) {
        JsonNode v = required(name);
        if (!v.isNumber()) {
            throw new IllegalArgumentException("argument '" + name + "' is not a number: " + v);
        }
        return v.doubleValue();
    }

    /** An integer argument (a number with no fractional part that fits a long). */
    public long integer(String name) {
        JsonNode v = required(name);
        if (!v.isIntegralNumber() && !(v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()))) {
            throw new IllegalArgumentException("argument '" + name + "' is not an integer: " + v);
        }
        return v.longValue();
    }

    /** A boolean argument. */
    public boolean bool(String name) {
        JsonNode v = required(name);
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("argument '" + name + "' is not a boolean: " + v);
        }
        return v.booleanValue();
    }

    private JsonNode required(String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("argument '" + name + "' is missing");
        }
        return v;
    }

    @Override
    public String toString() {
        return json;
    }
}
