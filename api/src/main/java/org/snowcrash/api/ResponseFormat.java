package org.snowcrash.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The form a text answer must take, as the OpenAI API's {@code response_format} says it. A backend
 * that cannot hold a format refuses the request (see {@link Capability}); an answer that is not
 * in the format is a failure, never handed over as if it were.
 */
public sealed interface ResponseFormat {

    /** Free text: the default. */
    record Text() implements ResponseFormat {
    }

    /** Any one JSON object. */
    record JsonObject() implements ResponseFormat {
    }

    /**
     * One JSON object valid against {@code schema}.
     *
     * @param name   the schema's name ({@code [a-zA-Z0-9_-]{1,64}}), as the OpenAI API requires one
     * @param schema the object schema
     * @param strict the OpenAI API's flag; Snowcrash always constrains and validates, whatever it says,
     *               and passes it on to servers that read it
     */
    record JsonSchemaFormat(String name, JsonSchema schema, boolean strict) implements ResponseFormat {
        private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

        public JsonSchemaFormat {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(schema, "schema");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("response format name '" + name + "' must match [a-zA-Z0-9_-]{1,64}");
            }
        }
    }

    ResponseFormat TEXT = new Text();
    ResponseFormat JSON_OBJECT = new JsonObject();

    /** A strict JSON-schema format. */
    static ResponseFormat jsonSchema(String name, JsonSchema schema) {
        return new JsonSchemaFormat(name, schema, true);
    }

    /** Whether the answer must be JSON. */
    default boolean isJson() {
        return !(this instanceof Text);
    }
}
