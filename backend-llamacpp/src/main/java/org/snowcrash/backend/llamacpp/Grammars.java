package org.snowcrash.backend.llamacpp;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.ToolSpec;

import de.kherud.llama.LlamaModel;

/**
 * The GBNF grammars the in-process backend constrains generation with, built from JSON Schemas by
 * llama.cpp's own converter ({@link LlamaModel#jsonSchemaToGrammar}) after {@link GrammarSchema}
 * has made sure the converter will not abort the JVM, then edited by {@link Gbnf}:
 *
 * <ul>
 *   <li>a JSON answer: the schema's grammar (or, for {@code json_object}, that of
 *       <code>{"type":"object"}</code>) with at most one blank between tokens;</li>
 *   <li>calls: per offered tool, <code>{"name":"&lt;tool&gt;","arguments":</code> then the grammar of
 *       its parameters schema, compact (no blanks outside strings, as docs/tool-format.md writes a
 *       call); one call, or with parallel calls allowed up to {@link #MAX_CALLS} lines;</li>
 *   <li>calls or a JSON answer, for {@code tool_choice} auto with a JSON response format.</li>
 * </ul>
 *
 * <p>Each tool is converted on its own (so its {@code $ref}s resolve against its own schema) and
 * its rules are renamed {@code t<i>-...}; the answer's are renamed {@code a-...}; the rules written
 * here are {@code root} and {@code sc-...}, a name the converter never writes. Converted grammars
 * are kept (a robot offers the same tools every turn). Thread-safe.
 */
final class Grammars {

    /** The most call lines one answer may hold when parallel calls are allowed. */
    static final int MAX_CALLS = 8;

    private static final int MAX_KEPT = 256;
    private static final String ANY_OBJECT = "{\"type\":\"object\"}";

    private final UnaryOperator<String> converter;
    private final Map<String, String> converted = new ConcurrentHashMap<>();

    /** Grammars from llama.cpp's converter (the native library must be loaded). */
    Grammars() {
        this(LlamaModel::jsonSchemaToGrammar);
    }

    /** Grammars from another converter (tests). */
    Grammars(UnaryOperator<String> converter) {
        this.converter = converter;
    }

    /**
     * The grammar of an answer in {@code format} (a JSON format).
     *
     * @throws UnusableSchema when the schema cannot be turned into a grammar
     */
    String answer(ResponseFormat format) {
        return Gbnf.withSpace(convert(schemaOf(format), "response_format"), Gbnf.ONE_SPACE);
    }

    /**
     * The grammar of one call to one of {@code tools}, or of up to {@link #MAX_CALLS} call lines.
     *
     * @throws UnusableSchema when a tool's parameters cannot be turned into a grammar
     */
    String calls(List<ToolSpec> tools, boolean parallel) {
        return "root ::= sc-calls\n" + callRules(tools, parallel);
    }

    /**
     * The grammar of calls (as {@link #calls}) or an answer in {@code format}.
     *
     * @throws UnusableSchema when a schema cannot be turned into a grammar
     */
    String callsOrAnswer(List<ToolSpec> tools, boolean parallel, ResponseFormat format) {
        return "root ::= sc-calls | a-root\n" + callRules(tools, parallel) + Gbnf.prefixed(answer(format), "a-");
    }

    private String callRules(List<ToolSpec> tools, boolean parallel) {
        StringBuilder g = new StringBuilder();
        g.append("sc-calls ::= sc-call").append(parallel ? " (\"\\n\" sc-call){0," + (MAX_CALLS - 1) + "}" : "").append('\n');
        g.append("sc-call ::= ");
        for (int i = 0; i < tools.size(); i++) {
            g.append(i == 0 ? "" : " | ").append("sc-call-").append(i);
        }
        g.append('\n');
        StringBuilder rules = new StringBuilder();
        for (int i = 0; i < tools.size(); i++) {
            ToolSpec t = tools.get(i);
            // Tool names are [a-zA-Z0-9_-]: nothing in them needs escaping in a GBNF literal.
            g.append("sc-call-").append(i).append(" ::= \"{\\\"name\\\":\\\"").append(t.name())
                    .append("\\\",\\\"arguments\\\":\" t").append(i).append("-root \"}\"\n");
            String args = convert(t.parameters().json(), "tools[" + t.name() + "].parameters");
            rules.append(Gbnf.prefixed(Gbnf.withSpace(args, Gbnf.NO_SPACE), "t" + i + "-"));
        }
        return g.append(rules).toString();
    }

    private static String schemaOf(ResponseFormat format) {
        if (format instanceof ResponseFormat.JsonSchemaFormat s) {
            return s.schema().json();
        }
        if (format instanceof ResponseFormat.JsonObject) {
            return ANY_OBJECT;
        }
        throw new IllegalArgumentException("response_format text has no grammar");
    }

    private String convert(String schemaJson, String what) {
        String kept = converted.get(schemaJson);
        if (kept != null) {
            return kept;
        }
        GrammarSchema.Result prepared = GrammarSchema.prepare(schemaJson);
        if (prepared instanceof GrammarSchema.Refused r) {
            throw new UnusableSchema(what + ": " + r.problem());
        }
        String grammar = converter.apply(((GrammarSchema.Ready) prepared).json());
        if (converted.size() >= MAX_KEPT) {
            converted.clear(); // a bound, not a cache policy: tool sets rarely change
        }
        converted.put(schemaJson, grammar);
        return grammar;
    }

    /** A schema llama.cpp's converter cannot take; the message names where and why. */
    static final class UnusableSchema extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnusableSchema(String message) {
            super(message, null, false, false);
        }
    }
}
