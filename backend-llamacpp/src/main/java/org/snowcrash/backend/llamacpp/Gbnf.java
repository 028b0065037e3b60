package org.snowcrash.backend.llamacpp;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few edits Snowcrash makes to GBNF grammars (llama.cpp's grammar language) written by
 * llama.cpp's JSON-schema converter: bounding the whitespace, and renaming rules so that several
 * converted grammars can live in one. Stateless.
 *
 * <p>Why the edits are needed: the converter's {@code space} rule lets the model write up to two
 * newlines and twenty blanks between any two JSON tokens, again and again, and a small model
 * happily does so until the token limit; and its start rule is always {@code root}, so two
 * grammars cannot be joined without renaming one.
 */
final class Gbnf {

    /** Compact JSON: no whitespace between tokens (a call line, docs/tool-format.md). */
    static final String NO_SPACE = "space ::= \"\"";
    /** At most one blank between JSON tokens (a JSON answer). */
    static final String ONE_SPACE = "space ::= \" \"?";

    private static final Pattern SPACE_RULE = Pattern.compile("(?m)^space ::= .*$");

    private Gbnf() {
    }

    /**
     * The grammar with its {@code space} rule replaced by {@code rule} (one of {@link #NO_SPACE},
     * {@link #ONE_SPACE}); a grammar without one gets it added (the rule is then unused).
     */
    static String withSpace(String grammar, String rule) {
        Matcher m = SPACE_RULE.matcher(grammar);
        if (!m.find()) {
            return grammar.endsWith("\n") ? grammar + rule + "\n" : grammar + "\n" + rule + "\n";
        }
        String replaced = m.replaceFirst(Matcher.quoteReplacement(rule));
        if (SPACE_RULE.matcher(replaced).results().count() != 1) {
            throw new IllegalStateException("the converter wrote more than one space rule");
        }
        return replaced;
    }

    /**
     * The grammar with every rule name, where defined and where used, prefixed with {@code prefix}
     * ({@code root} becomes {@code <prefix>root}). Literals, character classes, repetition counts
     * and comments are left as they are.
     */
    static String prefixed(String grammar, String prefix) {
        StringBuilder out = new StringBuilder(grammar.length() + 256);
        int i = 0;
        int n = grammar.length();
        while (i < n) {
            char c = grammar.charAt(i);
            if (c == '"' || c == '[') {
                int end = skipQuoted(grammar, i, c == '"' ? '"' : ']');
                out.append(grammar, i, end);
                i = end;
            } else if (c == '{') {
                int end = grammar.indexOf('}', i);
                end = end < 0 ? n : end + 1;
                out.append(grammar, i, end);
                i = end;
            } else if (c == '#') {
                int end = grammar.indexOf('\n', i);
                end = end < 0 ? n : end;
                out.append(grammar, i, end);
                i = end;
            } else if (isWordChar(c)) {
                int end = i;
                while (end < n && isWordChar(grammar.charAt(end))) {
                    end++;
                }
                out.append(prefix).append(grammar, i, end);
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** The index just after the literal or character class that starts at {@code start}. */
    private static int skipQuoted(String g, int start, char close) {
        int i = start + 1;
        while (i < g.length()) {
            char c = g.charAt(i);
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == close) {
                return i + 1;
            }
            i++;
        }
        throw new IllegalArgumentException("an unterminated " + (close == '"' ? "literal" : "character class")
                + " in a grammar at offset " + start);
    }

    // llama.cpp's grammar parser: a rule name is a run of letters, digits and '-'.
    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    }
}
