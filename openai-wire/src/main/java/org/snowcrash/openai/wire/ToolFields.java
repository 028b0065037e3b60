package org.snowcrash.openai.wire;

import static org.snowcrash.openai.wire.FieldReader.refuse;
import static org.snowcrash.openai.wire.FieldReader.unsupported;
import static org.snowcrash.openai.wire.WireNames.*;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.snowcrash.api.JsonSchema;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolSpec;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The tool and structured-output fields of a chat request, read as OpenAI's API takes them:
 * {@code tools}, {@code tool_choice}, {@code parallel_tool_calls} and {@code response_format}.
 * Every schema is checked here (an object schema, and whatever the reader's schema check adds,
 * such as validity against JSON Schema's meta-schema), so a request that reaches a backend carries
 * only schemas it can use; every refusal names the field ({@code tools[1].function.parameters}).
 *
 * @param tools          the functions offered, in order
 * @param toolChoice     whether and which function must be called
 * @param parallel       {@code parallel_tool_calls} (default true, as OpenAI's)
 * @param responseFormat the form a text answer takes
 */
record ToolFields(List<ToolSpec> tools, ToolChoice toolChoice, boolean parallel, ResponseFormat responseFormat) {

    /** Reads the fields from a request's root object. */
    static ToolFields read(JsonNode root, Function<JsonSchema, Optional<String>> schemaProblem) {
        List<ToolSpec> tools = tools(root.get(TOOLS), schemaProblem);
        ToolChoice choice = choice(root.get(TOOL_CHOICE), tools);
        boolean parallel = FieldReader.bool(root, PARALLEL_TOOL_CALLS, "parallel_tool_calls", true);
        return new ToolFields(tools, choice, parallel, format(root.get(RESPONSE_FORMAT), schemaProblem));
    }

    private static List<ToolSpec> tools(JsonNode node, Function<JsonSchema, Optional<String>> schemaProblem) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw refuse("tools", "invalid_value", "'tools' must be an array of {\"type\": \"function\", \"function\": {...}}");
        }
        List<ToolSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode t = node.get(i);
            String at = "tools[" + i + "]";
            if (!t.isObject()) {
                throw refuse(at, "invalid_value", at + " must be an object");
            }
            if (!"function".equals(t.path(TYPE).asText())) {
                throw unsupported(at + ".type", "must be \"function\" (the only tool type served), not " + t.get(TYPE));
            }
            JsonNode fn = t.get(FUNCTION);
            if (fn == null || !fn.isObject()) {
                throw refuse(at + ".function", "missing_required_parameter", at + ".function is required: {name, description, parameters}");
            }
            String name = FieldReader.text(fn, NAME, at + ".function.name");
            if (name == null) {
                throw refuse(at + ".function.name", "missing_required_parameter", at + ".function.name is required");
            }
            try {
                ToolSpec.checkName(name);
            } catch (IllegalArgumentException e) {
                throw refuse(at + ".function.name", "invalid_value", at + ".function.name: " + e.getMessage());
            }
            if (!names.add(name)) {
                throw refuse(at + ".function.name", "invalid_value", "two tools are named '" + name + "'; names must be unique");
            }
            String description = FieldReader.text(fn, DESCRIPTION, at + ".function.description");
            JsonNode params = fn.get(PARAMETERS);
            // OpenAI: "Omitting parameters defines a function with an empty parameter list."
            JsonSchema schema = params == null || params.isNull()
                    ? JsonSchema.of("{\"type\":\"object\",\"properties\":{}}")
                    : schema(params, at + ".function.parameters", schemaProblem);
            FieldReader.bool(fn, STRICT, at + ".function.strict", false); // checked for type; we always validate
            out.add(new ToolSpec(name, description == null ? "" : description, schema));
        }
        return out;
    }

    private static ToolChoice choice(JsonNode node, List<ToolSpec> tools) {
        if (node == null || node.isNull()) {
            return ToolChoice.AUTO;
        }
        ToolChoice choice;
        if (node.isTextual()) {
            choice = switch (node.asText()) {
                case "auto" -> ToolChoice.AUTO;
                case "none" -> ToolChoice.NONE;
                case "required" -> ToolChoice.REQUIRED;
                default -> throw refuse("tool_choice", "invalid_value", "'tool_choice' must be \"auto\", \"none\", \"required\" or "
                        + "{\"type\": \"function\", \"function\": {\"name\": ...}}, not \"" + node.asText() + "\"");
            };
        } else if (node.isObject()) {
            if (!"function".equals(node.path(TYPE).asText())) {
                throw unsupported("tool_choice.type", "must be \"function\", not " + node.get(TYPE));
            }
            String name = FieldReader.text(node.path(FUNCTION), NAME, "tool_choice.function.name");
            if (name == null) {
                throw refuse("tool_choice.function.name", "missing_required_parameter", "tool_choice.function.name is required");
            }
            if (tools.stream().noneMatch(t -> t.name().equals(name))) {
                throw refuse("tool_choice.function.name", "invalid_value", "tool_choice names function '" + name
                        + "', which is not among the tools offered " + tools.stream().map(ToolSpec::name).toList());
            }
            choice = ToolChoice.named(name);
        } else {
            throw refuse("tool_choice", "invalid_value", "'tool_choice' must be a string or an object");
        }
        if (choice.forcesCall() && tools.isEmpty()) {
            throw refuse("tool_choice", "invalid_value", "tool_choice \"" + node.asText(choice.describe())
                    + "\" forces a call but no tools are offered");
        }
        return choice;
    }

    private static ResponseFormat format(JsonNode node, Function<JsonSchema, Optional<String>> schemaProblem) {
        if (node == null || node.isNull()) {
            return ResponseFormat.TEXT;
        }
        if (!node.isObject()) {
            throw refuse("response_format", "invalid_value", "'response_format' must be an object with a 'type'");
        }
        String type = node.path(TYPE).asText("");
        switch (type) {
            case "text":
                return ResponseFormat.TEXT;
            case "json_object":
                return ResponseFormat.JSON_OBJECT;
            case "json_schema":
                break;
            default:
                throw refuse("response_format.type", "invalid_value",
                        "response_format.type must be text, json_object or json_schema, not '" + type + "'");
        }
        JsonNode spec = node.get(JSON_SCHEMA);
        if (spec == null || !spec.isObject()) {
            throw refuse("response_format.json_schema", "missing_required_parameter",
                    "response_format.json_schema is required for type json_schema: {name, schema, strict}");
        }
        String name = FieldReader.text(spec, NAME, "response_format.json_schema.name");
        if (name == null) {
            throw refuse("response_format.json_schema.name", "missing_required_parameter", "response_format.json_schema.name is required");
        }
        JsonNode schema = spec.get(SCHEMA);
        if (schema == null || schema.isNull()) {
            throw refuse("response_format.json_schema.schema", "missing_required_parameter",
                    "response_format.json_schema.schema is required: the JSON Schema the answer must match");
        }
        JsonSchema checked = schema(schema, "response_format.json_schema.schema", schemaProblem);
        boolean strict = FieldReader.bool(spec, STRICT, "response_format.json_schema.strict", false);
        try {
            return new ResponseFormat.JsonSchemaFormat(name, checked, strict);
        } catch (IllegalArgumentException e) {
            throw refuse("response_format.json_schema.name", "invalid_value", e.getMessage());
        }
    }

    /** An object JSON Schema that {@code schemaProblem} finds nothing wrong with, or a refusal naming {@code where}. */
    private static JsonSchema schema(JsonNode node, String where, Function<JsonSchema, Optional<String>> schemaProblem) {
        if (!node.isObject()) {
            throw refuse(where, "invalid_value", where + " must be a JSON Schema object, not " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        JsonSchema schema;
        try {
            schema = JsonSchema.of(node.toString());
        } catch (IllegalArgumentException e) {
            throw refuse(where, "invalid_value", where + " is " + e.getMessage());
        }
        Optional<String> problem = schemaProblem.apply(schema);
        if (problem.isPresent()) {
            throw refuse(where, "invalid_value", where + " is not a valid JSON Schema: " + problem.get());
        }
        return schema;
    }
}
