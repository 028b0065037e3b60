package org.snowcrash.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Objects;

/**
 * A JSON Schema for an object: a tool's parameters or a structured answer. Held as its JSON text,
 * so the SPI carries no JSON library's types; {@link #json()} is what backends send and validators
 * read.
 *
 * <p>The constructor checks what every backend and every front end relies on: the text is one
 * well-formed JSON object, and it describes an object (its {@code "type"} is {@code "object"}, or it
 * has no type but {@code "properties"}). Whether the rest of it is a valid JSON Schema is checked by
 * the validator that uses it (a schema that cannot be compiled is reported there, by name).
 *
 * @param json the schema's JSON text, e.g. {@code {"type":"object","properties":{"meters":{"type":"number"}}}}
 */
public record JsonSchema(String json) {

    private static final JsonFactory JSON = new JsonFactory();

    public JsonSchema {
        Objects.requireNonNull(json, "json");
        json = json.strip();
        String problem = objectSchemaProblem(json);
        if (problem != null) {
            throw new IllegalArgumentException("not an object JSON Schema: " + problem);
        }
    }

    /** The schema of this JSON text; same as the constructor. */
    public static JsonSchema of(String json) {
        return new JsonSchema(json);
    }

    /** An object schema with no declared properties: any JSON object. */
    public static JsonSchema anyObject() {
        return new JsonSchema("{\"type\":\"object\"}");
    }

    // Reads the top level only: we need to know that it is one object, what its "type" says and
    // whether it has "properties"; nested values are skipped without being interpreted.
    private static String objectSchemaProblem(String json) {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return "the schema must be a JSON object, got: " + abbreviate(json);
            }
            String type = null;
            boolean typeIsObject = false;
            boolean hasProperties = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("type".equals(field)) {
                    if (value == JsonToken.VALUE_STRING) {
                        type = p.getText();
                        typeIsObject = "object".equals(type);
                    } else if (value == JsonToken.START_ARRAY) {
                        StringBuilder types = new StringBuilder();
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            if ("object".equals(p.getText())) {
                                typeIsObject = true;
                            }
                            types.append(types.length() == 0 ? "" : ",").append(p.getText());
                        }
                        type = "[" + types + "]";
                    } else {
                        return "\"type\" must be a string or an array of strings";
                    }
                } else {
                    if ("properties".equals(field)) {
                        if (value != JsonToken.START_OBJECT) {
                            return "\"properties\" must be an object";
                        }
                        hasProperties = true;
                    }
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                return "text after the schema's closing brace";
            }
            if (type == null ? !hasProperties : !typeIsObject) {
                return type == null
                        ? "it must say \"type\": \"object\" (or have \"properties\")"
                        : "its \"type\" is " + type + ", not \"object\"";
            }
            return null;
        } catch (JsonProcessingException e) {
            return "malformed JSON: " + e.getOriginalMessage();
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
