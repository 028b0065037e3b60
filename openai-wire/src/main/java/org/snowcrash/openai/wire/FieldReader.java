package org.snowcrash.openai.wire;

import com.fasterxml.jackson.databind.JsonNode;

/** The small pieces every request reader shares: typed field reads and the refusals that name a field. Stateless. */
final class FieldReader {

    private FieldReader() {
    }

    /** A string field, or null when absent or null; a refusal naming {@code where} when it is another type. */
    static String text(JsonNode parent, String field, String where) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw refuse(where, "invalid_value", "'" + where + "' must be a string");
        }
        return v.asText();
    }

    /** A boolean field, or {@code otherwise} when absent or null; a refusal naming {@code where} when it is another type. */
    static boolean bool(JsonNode parent, String field, String where, boolean otherwise) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) {
            return otherwise;
        }
        if (!v.isBoolean()) {
            throw refuse(where, "invalid_value", "'" + where + "' must be true or false");
        }
        return v.asBoolean();
    }

    /** A refusal {@code unsupported_parameter}: the message reads {@code 'param' <message>}. */
    static FieldRefusal unsupported(String param, String message) {
        return FieldRefusal.unsupported(param, message);
    }

    /** A refusal naming {@code param}. */
    static FieldRefusal refuse(String param, String code, String message) {
        return new FieldRefusal(param, code, message);
    }
}
