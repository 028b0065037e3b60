package org.snowcrash.backend.llamacpp;

import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Gets a JSON Schema ready for llama.cpp's schema-to-grammar converter, or says why it cannot be.
 *
 * <p>Why this exists: in java-llama.cpp 4.2.0 the converter ({@code LlamaModel.jsonSchemaToGrammar})
 * does not catch llama.cpp's C++ exceptions, so a schema it rejects <b>aborts the JVM</b> (tried:
 * exit 134, "terminate called after throwing an instance of 'std::runtime_error'"). So every schema
 * is walked here first, and only one that passes reaches native code. The walk mirrors the
 * converter of llama.cpp b4916 ({@code common/json-schema-to-grammar.cpp}, {@code visit}):
 *
 * <ul>
 *   <li>refused: a {@code $ref} that is not a local {@code #/...} pointer through objects, or does
 *       not resolve; a {@code type} that is not a JSON type; a {@code pattern} not written
 *       {@code ^...$}; a keyword whose value has the wrong JSON type (the converter reads them
 *       unchecked); a {@code false} schema; a {@code const}/{@code enum} string or property name
 *       holding a quote, backslash or control character (the converter writes a broken grammar
 *       for it, and llama.cpp then generates with no grammar at all); and the applicators the converter cannot express
 *       ({@link #UNSUPPORTED}), which it would otherwise either crash on or silently drop;</li>
 *   <li>rewritten: a sub-schema that says nothing about its shape ({@code {}}, {@code true}, or only
 *       annotations such as {@code description}) means "any JSON value", which the converter would
 *       reject or read as "any object"; it becomes a union of the seven JSON types;</li>
 *   <li>kept, not enforced by the grammar: {@code multipleOf}, {@code uniqueItems},
 *       {@code minimum}/{@code maximum} on non-integers, {@code minProperties}/{@code maxProperties},
 *       {@code dependentRequired} and string {@code format}s other than date, time, date-time and
 *       uuid. An answer that breaks them is caught after generation (AnswerCheck in the runtime).</li>
 * </ul>
 * Stateless.
 */
final class GrammarSchema {

    /** Keywords the converter cannot turn into grammar and that change what the schema accepts. */
    static final Set<String> UNSUPPORTED = Set.of("not", "if", "then", "else", "dependentSchemas", "dependencies",
            "patternProperties", "propertyNames", "contains", "unevaluatedProperties", "unevaluatedItems");

    private static final Set<String> GRAMMAR_FORMATS = Set.of("date", "time", "date-time", "uuid", "uuid1", "uuid2",
            "uuid3", "uuid4", "uuid5");
    private static final Set<String> COUNTS = Set.of("minItems", "maxItems", "minLength", "maxLength");
    private static final Set<String> BOUNDS = Set.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** What preparing a schema gave. */
    sealed interface Result {
    }

    /** The schema, rewritten where needed, as JSON the converter accepts. */
    record Ready(String json) implements Result {
    }

    /** Why the converter cannot take the schema; {@code problem} names the place, e.g. {@code $.properties.a.pattern: ...}. */
    record Refused(String problem) implements Result {
    }

    private GrammarSchema() {
    }

    /** Checks and rewrites {@code schemaJson} (an object schema). */
    static Result prepare(String schemaJson) {
        JsonNode root;
        try {
            root = MAPPER.readTree(schemaJson);
        } catch (JsonProcessingException e) {
            return new Refused("$: not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            return new Refused("$: the schema must be a JSON object");
        }
        ObjectNode copy = root.deepCopy();
        try {
            Walk w = new Walk(copy);
            JsonNode checked = w.walk(copy, "$", true);
            w.checkRefs();
            return new Ready(MAPPER.writeValueAsString(checked));
        } catch (SchemaValues.Problem p) {
            return new Refused(p.getMessage());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    /** One walk over one schema: the sub-schemas it met (by identity) and the references to check at the end. */
    private static final class Walk {
        private final ObjectNode root;
        private final Set<JsonNode> schemas = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        private final java.util.List<String[]> refs = new java.util.ArrayList<>();

        Walk(ObjectNode root) {
            this.root = root;
        }

        private JsonNode schema(JsonNode s) {
            schemas.add(s);
            return s;
        }

        // The converter resolves "#/a/b" by plain splitting on '/', through objects only, and then
        // visits what it finds as a schema: so the target must be one of the sub-schemas walked.
        void checkRefs() {
            for (String[] r : refs) {
                String at = r[0];
                String ref = r[1];
                JsonNode target = root;
                for (String step : ref.substring(2).split("/", -1)) {
                    if (!target.isObject() || !target.has(step)) {
                        throw new SchemaValues.Problem(at + ": '" + ref + "' does not resolve ('" + step + "' is missing)");
                    }
                    target = target.get(step);
                }
                if (!schemas.contains(target)) {
                    throw new SchemaValues.Problem(at + ": '" + ref + "' does not point at a schema (under properties, items, $defs, ...)");
                }
            }
        }

        /** The schema to use in place of {@code node} (itself, changed in place, or a replacement). */
        JsonNode walk(JsonNode node, String path, boolean isRoot) {
            if (node.isBoolean()) {
                if (!node.booleanValue()) {
                    throw new SchemaValues.Problem(path + ": the schema false accepts nothing, so no answer could be generated");
                }
                return schema(anyValue());
            }
            if (!node.isObject()) {
                throw new SchemaValues.Problem(path + ": a schema must be an object or a boolean, got " + node.getNodeType().name().toLowerCase());
            }
            ObjectNode s = (ObjectNode) node;
            Iterator<Map.Entry<String, JsonNode>> fields = s.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                String key = f.getKey();
                JsonNode v = f.getValue();
                String at = path + "." + key;
                if (UNSUPPORTED.contains(key)) {
                    throw new SchemaValues.Problem(at + ": the keyword '" + key + "' cannot be turned into a grammar by llama.cpp's converter;"
                            + " leave it out or use a server backend that validates it");
                }
                switch (key) {
                    case "$ref" -> refs.add(new String[] {at, SchemaValues.requireRef(v, at)});
                    case "type" -> SchemaValues.checkType(v, at);
                    case "format" -> SchemaValues.requireText(v, at);
                    case "pattern" -> SchemaValues.checkPattern(v, at);
                    case "properties", "$defs", "definitions" -> walkMembers(v, at);
                    case "additionalProperties" -> {
                        if (!v.isBoolean()) {
                            s.set(key, walk(v, at, false));
                        }
                    }
                    case "items" -> {
                        if (v.isArray()) {
                            walkElements((ArrayNode) v, at);
                        } else {
                            s.set(key, walk(v, at, false));
                        }
                    }
                    case "prefixItems", "anyOf", "oneOf", "allOf" -> {
                        if (!v.isArray() || v.isEmpty()) {
                            throw new SchemaValues.Problem(at + ": must be a non-empty array of schemas");
                        }
                        walkElements((ArrayNode) v, at);
                    }
                    case "required" -> {
                        if (!v.isArray()) {
                            throw new SchemaValues.Problem(at + ": must be an array of property names");
                        }
                    }
                    case "enum" -> {
                        if (!v.isArray() || v.isEmpty()) {
                            throw new SchemaValues.Problem(at + ": must be a non-empty array");
                        }
                        SchemaValues.checkLiteralStrings(v, at);
                    }
                    case "const" -> SchemaValues.checkLiteralStrings(v, at);
                    default -> {
                        if (COUNTS.contains(key) && !(v.canConvertToInt() && v.isIntegralNumber() && v.intValue() >= 0)) {
                            throw new SchemaValues.Problem(at + ": must be a non-negative integer, got " + v);
                        }
                        if (BOUNDS.contains(key) && !v.isNumber()) {
                            throw new SchemaValues.Problem(at + ": must be a number, got " + v);
                        }
                    }
                }
            }
            return schema(isRoot || hasShape(s) ? s : anyValue());
        }

        private void walkMembers(JsonNode v, String at) {
            if (!v.isObject()) {
                throw new SchemaValues.Problem(at + ": must be an object of schemas");
            }
            v.fieldNames().forEachRemaining(name -> SchemaValues.checkLiteral(name, at + "." + name));
            ObjectNode o = (ObjectNode) v;
            Iterator<Map.Entry<String, JsonNode>> members = o.fields();
            while (members.hasNext()) {
                Map.Entry<String, JsonNode> m = members.next();
                m.setValue(walk(m.getValue(), at + "." + m.getKey(), false));
            }
        }

        private void walkElements(ArrayNode a, String at) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, walk(a.get(i), at + "[" + i + "]", false));
            }
        }
    }

    /** Whether the converter's visit finds a branch for the schema (else it fails with "Unrecognized schema"). */
    private static boolean hasShape(ObjectNode s) {
        if (s.has("type") || s.has("$ref") || s.has("anyOf") || s.has("oneOf") || s.has("const") || s.has("enum")
                || s.has("properties") || s.has("allOf") || s.has("items") || s.has("prefixItems") || s.has("pattern")) {
            return true;
        }
        JsonNode additional = s.get("additionalProperties");
        if (additional != null && !(additional.isBoolean() && additional.booleanValue())) {
            return true;
        }
        JsonNode format = s.get("format");
        return format != null && GRAMMAR_FORMATS.contains(format.asText());
    }

    /** Any JSON value, as the converter can write it: a union of the JSON types. */
    private static ObjectNode anyValue() {
        ObjectNode any = MAPPER.createObjectNode();
        ArrayNode types = any.putArray("type");
        for (String t : new String[] {"string", "number", "boolean", "null", "object", "array"}) {
            types.add(t);
        }
        return any;
    }
}
