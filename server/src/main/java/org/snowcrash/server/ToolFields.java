package org.snowcrash.server;

import static org.snowcrash.server.FieldReader.refuse;
import static org.snowcrash.server.FieldReader.unsupported;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.snowcrash.api.JsonSchema;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolSpec;
import org.snowcrash.tools.SchemaCheck;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The tool and structured-output fields of a chat request, read as OpenAI's API takes them:
 * {@code tools}, {@code tool_choice}, {@code parallel_tool_calls} and {@code response_format}.
 * Every schema is checked here (an object schema, valid against JSON Schema's meta-schema), so a
 * request that reaches a backend carries only schemas it can use; every refusal is a 400 naming
 * the field ({@code tools[1].function.parameters}).
 *
 * @param tools          the functions offered, in order
 * @param toolChoice     whether and which function must be called
 * @param parallel       {@code parallel_tool_calls} (default true, as OpenAI's)
 * @param responseFormat the form a text answer takes
 */
record ToolFields(List<ToolSpec> tools, ToolChoice toolChoice, boolean parallel, ResponseFormat responseFormat) {

    /** Reads the fields from a request's root object. */
    static ToolFields read(JsonNode root) {
        List<ToolSpec> tools = tools(root.get("tools"));
        ToolChoice choice = choice(root.get("tool_choice"), tools);
        boolean parallel = FieldReader.bool(root, "parallel_tool_calls", "parallel_tool_calls", true);
        return new ToolFields(tools, choice, parallel, format(root.get("response_format")));
    }

    private static List<ToolSpec> tools(JsonNode node) {
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
            if (!"function".equals(t.path("type").asText())) {
                throw unsupported(at + ".type", "must be \"function\" (the only tool type served), not " + t.get("type"));
            }
            JsonNode fn = t.get("function");
            if (fn == null || !fn.isObject()) {
                throw refuse(at + ".function", "missing_required_parameter", at + ".function is required: {name, description, parameters}");
            }
            String name = FieldReader.text(fn, "name", at + ".function.name");
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
            String description = FieldReader.text(fn, "description", at + ".function.description");
            JsonNode params = fn.get("parameters");
            // OpenAI: "Omitting parameters defines a function with an empty parameter list."
            JsonSchema schema = params == null || params.isNull()
                    ? JsonSchema.of("{\"type\":\"object\",\"properties\":{}}")
                    : schema(params, at + ".function.parameters");
            FieldReader.bool(fn, "strict", at + ".function.strict", false); // checked for type; we always validate
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
            if (!"function".equals(node.path("type").asText())) {
                throw unsupported("tool_choice.type", "must be \"function\", not " + node.get("type"));
            }
            String name = FieldReader.text(node.path("function"), "name", "tool_choice.function.name");
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

    private static ResponseFormat format(JsonNode node) {
        if (node == null || node.isNull()) {
            return ResponseFormat.TEXT;
        }
        if (!node.isObject()) {
            throw refuse("response_format", "invalid_value", "'response_format' must be an object with a 'type'");
        }
        String type = node.path("type").asText("");
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
        JsonNode spec = node.get("json_schema");
        if (spec == null || !spec.isObject()) {
            throw refuse("response_format.json_schema", "missing_required_parameter",
                    "response_format.json_schema is required for type json_schema: {name, schema, strict}");
        }
        String name = FieldReader.text(spec, "name", "response_format.json_schema.name");
        if (name == null) {
            throw refuse("response_format.json_schema.name", "missing_required_parameter", "response_format.json_schema.name is required");
        }
        JsonNode schema = spec.get("schema");
        if (schema == null || schema.isNull()) {
            throw refuse("response_format.json_schema.schema", "missing_required_parameter",
                    "response_format.json_schema.schema is required: the JSON Schema the answer must match");
        }
        JsonSchema checked = schema(schema, "response_format.json_schema.schema");
        boolean strict = FieldReader.bool(spec, "strict", "response_format.json_schema.strict", false);
        try {
            return new ResponseFormat.JsonSchemaFormat(name, checked, strict);
        } catch (IllegalArgumentException e) {
            throw refuse("response_format.json_schema.name", "invalid_value", e.getMessage());
        }
    }

    /** An object JSON Schema that JSON Schema's meta-schema accepts, or a 400 naming {@code where}. */
    private static JsonSchema schema(JsonNode node, String where) {
        if (!node.isObject()) {
            throw refuse(where, "invalid_value", where + " must be a JSON Schema object, not " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        JsonSchema schema;
        try {
            schema = JsonSchema.of(node.toString());
        } catch (IllegalArgumentException e) {
            throw refuse(where, "invalid_value", where + " is " + e.getMessage());
        }
        Optional<String> problem = SchemaCheck.schemaProblem(schema);
        if (problem.isPresent()) {
            throw refuse(where, "invalid_value", where + " is not a valid JSON Schema: " + problem.get());
        }
        return schema;
    }
}
