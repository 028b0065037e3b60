package org.snowcrash.backend.llamacpp;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The value checks of {@link GrammarSchema}'s walk: each throws {@link Problem} naming the place
 * when a keyword's value would make llama.cpp's converter abort the JVM or write a broken grammar.
 * Stateless.
 */
final class SchemaValues {

    static final Set<String> TYPES = Set.of("string", "number", "integer", "boolean", "null", "object", "array");

    private SchemaValues() {
    }

    static String requireRef(JsonNode v, String at) {
        if (!v.isTextual()) {
            throw new Problem(at + ": must be a string");
        }
        String ref = v.asText();
        if (!ref.startsWith("#/")) {
            throw new Problem(at + ": only local references (#/...) can be turned into a grammar, got '" + ref + "'");
        }
        return ref;
    }

    // b4916's converter writes these values into grammar literals without escaping a JSON-escaped
    // quote or backslash correctly: the grammar then fails to parse, and llama.cpp generates
    // without any grammar at all (tried). So such strings are refused rather than let through.
    static void checkLiteralStrings(JsonNode v, String at) {
        if (v.isTextual()) {
            checkLiteral(v.asText(), at);
        }
        v.fieldNames().forEachRemaining(name -> checkLiteral(name, at));
        for (JsonNode child : v) {
            checkLiteralStrings(child, at);
        }
    }

    static void checkLiteral(String s, String at) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20) {
                throw new Problem(at + ": the string '" + s.replace("\n", "\\n") + "' holds a quote, backslash or control character,"
                        + " which llama.cpp's converter cannot write into a grammar");
            }
        }
    }

    static void checkType(JsonNode v, String at) {
        if (v.isTextual()) {
            if (!TYPES.contains(v.asText())) {
                throw new Problem(at + ": '" + v.asText() + "' is not a JSON type (one of " + TYPES.stream().sorted().toList() + ")");
            }
            return;
        }
        if (!v.isArray() || v.isEmpty()) {
            throw new Problem(at + ": must be a type name or a non-empty array of them");
        }
        for (JsonNode t : v) {
            checkType(t, at);
        }
    }

    static void checkPattern(JsonNode v, String at) {
        requireText(v, at);
        String p = v.asText();
        if (!p.startsWith("^") || !p.endsWith("$")) {
            throw new Problem(at + ": llama.cpp's converter needs a pattern anchored at both ends (^...$), got '" + p + "'");
        }
    }

    static void requireText(JsonNode v, String at) {
        if (!v.isTextual()) {
            throw new Problem(at + ": must be a string");
        }
    }

    /** A problem found deep in the walk, carried out to {@link GrammarSchema#prepare}. */
    static final class Problem extends RuntimeException {
        static final long serialVersionUID = 1L;

        Problem(String message) {
            super(message, null, false, false);
        }
    }
}
