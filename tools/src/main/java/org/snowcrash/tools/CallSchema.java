package org.snowcrash.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.snowcrash.api.JsonSchema;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolSpec;

/**
 * The JSON Schema of one call in Snowcrash's format, <code>{"name":...,"arguments":{...}}</code>: what a
 * backend constrains generation with when a call is forced ({@code tool_choice} {@code required} or a
 * named function). A server that enforces a {@code json_schema} response format, or a grammar made
 * from this schema, then cannot answer with anything but a valid call. Stateless.
 */
public final class CallSchema {

    private CallSchema() {
    }

    /**
     * The schema of one call to one of {@code tools} ({@link ToolChoice.Required}) or to the named
     * tool ({@link ToolChoice.Named}).
     *
     * @throws IllegalArgumentException when the choice does not force a call, or names no offered tool
     */
    public static JsonSchema of(List<ToolSpec> tools, ToolChoice choice) {
        if (choice instanceof ToolChoice.Named n) {
            ToolSpec tool = tools.stream().filter(t -> t.name().equals(n.name())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no tool named " + n.name()));
            return new JsonSchema(Json.compact(callOf(tool)));
        }
        if (!(choice instanceof ToolChoice.Required) || tools.isEmpty()) {
            throw new IllegalArgumentException("tool_choice " + choice.describe() + " does not force a call");
        }
        if (tools.size() == 1) {
            return new JsonSchema(Json.compact(callOf(tools.get(0))));
        }
        ObjectNode schema = Json.MAPPER.createObjectNode().put("type", "object");
        ArrayNode any = schema.putArray("anyOf");
        tools.forEach(t -> any.add(callOf(t)));
        return new JsonSchema(Json.compact(schema));
    }

    private static ObjectNode callOf(ToolSpec tool) {
        ObjectNode call = Json.MAPPER.createObjectNode().put("type", "object");
        ObjectNode props = call.putObject("properties");
        props.putObject("name").put("const", tool.name());
        props.set("arguments", closed(Json.schema(tool.parameters())));
        call.putArray("required").add("name").add("arguments");
        call.put("additionalProperties", false);
        return call;
    }

    /**
     * The arguments' schema with its own properties only, when the tool left it open (it lists
     * properties and says nothing of others). A server turns an open object into a grammar that
     * admits any further key, and a small model then writes keys until its token limit instead of
     * closing the object (seen with the random-weight models on llama-server b11669); every
     * answer the closed schema admits, the tool's admits too. A schema that speaks of other keys
     * ({@code additionalProperties}, {@code patternProperties}) is left as it is.
     */
    static ObjectNode closed(ObjectNode arguments) {
        if (arguments.has("properties") && !arguments.has("additionalProperties") && !arguments.has("patternProperties")) {
            arguments.put("additionalProperties", false);
        }
        return arguments;
    }
}
