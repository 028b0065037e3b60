package org.snowcrash.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/** The one Jackson mapper of this module, and the few JSON operations the tool code needs. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** The parsed value, or empty when the text is not one JSON value. */
    static Optional<JsonNode> parse(String text) {
        try {
            JsonNode node = MAPPER.readTree(text);
            return node == null || node.isMissingNode() ? Optional.empty() : Optional.of(node);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** The node as compact JSON (no spaces outside strings, fields in their order). */
    static String compact(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree could not be written back", e);
        }
    }

    /** The schema's JSON as an object node (JsonSchema guarantees an object). */
    static ObjectNode schema(org.snowcrash.api.JsonSchema schema) {
        return (ObjectNode) parse(schema.json()).orElseThrow();
    }
}
