package org.snowcrash.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.snowcrash.api.JsonSchema;

/**
 * Validates JSON against a {@link JsonSchema}, and schemas against JSON Schema itself, with
 * networknt's json-schema-validator (draft 2020-12 when a schema names no dialect: what OpenAI's
 * function parameters and structured outputs use). Compiled schemas are kept, since a robot offers
 * the same tools on every turn. Thread-safe.
 */
public final class SchemaCheck {

    private static final String META_2020_12 = "https://json-schema.org/draft/2020-12/schema";
    private static final int MAX_KEPT = 256;

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static final Map<String, Schema> COMPILED = new ConcurrentHashMap<>();

    private SchemaCheck() {
    }

    /**
     * What is wrong with {@code json} against {@code schema}: empty when it is valid. A text that is
     * not JSON gives one problem saying so.
     */
    public static List<String> problems(JsonSchema schema, String json) {
        Optional<JsonNode> node = Json.parse(json);
        if (node.isEmpty()) {
            return List.of("not JSON: " + abbreviate(json));
        }
        Schema compiled;
        try {
            compiled = compiled(schema);
        } catch (SchemaException | IllegalArgumentException e) {
            return List.of("the schema cannot be used: " + e.getMessage());
        }
        List<String> out = new ArrayList<>();
        for (Error e : compiled.validate(node.get())) {
            out.add(e.getInstanceLocation() + ": " + e.getMessage());
        }
        return out;
    }

    /**
     * Why {@code schema} is not a usable JSON Schema (checked against the 2020-12 meta-schema, then
     * compiled), or empty when it is.
     */
    public static Optional<String> schemaProblem(JsonSchema schema) {
        try {
            Schema meta = REGISTRY.getSchema(SchemaLocation.of(META_2020_12));
            List<Error> errors = meta.validate(Json.parse(schema.json()).orElseThrow());
            if (!errors.isEmpty()) {
                return Optional.of(errors.get(0).getMessage());
            }
            compiled(schema);
            return Optional.empty();
        } catch (SchemaException | IllegalArgumentException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        }
    }

    private static Schema compiled(JsonSchema schema) {
        Schema s = COMPILED.get(schema.json());
        if (s == null) {
            if (COMPILED.size() >= MAX_KEPT) {
                COMPILED.clear(); // a bound, not a cache policy: tool sets rarely change
            }
            s = REGISTRY.getSchema(Json.parse(schema.json()).orElseThrow());
            COMPILED.put(schema.json(), s);
        }
        return s;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
