package org.snowcrash.backend.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.Availability;
import org.snowcrash.api.JsonSchema;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.tools.SchemaCheck;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;

/**
 * The grammar side: the schema check that keeps the JVM alive, the GBNF edits, and, on real
 * llama.cpp, that the whitespace bound holds against a model that wants nothing but blanks.
 */
class GrammarsTest {

    @TempDir
    Path dir;

    private static String refused(String schema) {
        GrammarSchema.Result r = GrammarSchema.prepare(schema);
        return assertInstanceOf(GrammarSchema.Refused.class, r, schema).problem();
    }

    private static String ready(String schema) {
        return assertInstanceOf(GrammarSchema.Ready.class, GrammarSchema.prepare(schema), schema).json();
    }

    @Test
    void schemasTheConverterWouldAbortOnAreRefusedByName() {
        // Each of these aborts the JVM inside jsonSchemaToGrammar (tried: exit 134).
        assertEquals("$.properties.a.$ref: '#/$defs/missing' does not resolve ('$defs' is missing)",
                refused("{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"#/$defs/missing\"}}}"));
        assertEquals("$.properties.a.$ref: only local references (#/...) can be turned into a grammar, got 'other.json'",
                refused("{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"other.json\"}}}"));
        assertEquals("$.properties.a.type: 'foo' is not a JSON type (one of [array, boolean, integer, null, number, object, string])",
                refused("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"foo\"}}}"));
        assertEquals("$.properties.a.pattern: llama.cpp's converter needs a pattern anchored at both ends (^...$), got 'abc'",
                refused("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"pattern\":\"abc\"}}}"));
        assertTrue(refused("{\"type\":\"object\",\"properties\":{\"a\":{\"not\":{\"type\":\"string\"}}}}")
                .startsWith("$.properties.a.not: the keyword 'not' cannot be turned into a grammar"));
        assertTrue(refused("{\"type\":\"object\",\"properties\":{\"a\":{\"if\":{\"type\":\"string\"},\"then\":{}}}}")
                .startsWith("$.properties.a.if: the keyword 'if'"));
        assertEquals("$.properties.a.minLength: must be a non-negative integer, got \"3\"",
                refused("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"minLength\":\"3\"}}}"));
        assertEquals("$.properties.a: the schema false accepts nothing, so no answer could be generated",
                refused("{\"type\":\"object\",\"properties\":{\"a\":false}}"));
        // Found by the generated-schema property: the converter writes a broken literal for these,
        // and llama.cpp then generates with no grammar at all.
        assertEquals("$.properties.a.enum: the string '\"q\"' holds a quote, backslash or control character,"
                + " which llama.cpp's converter cannot write into a grammar",
                refused("{\"type\":\"object\",\"properties\":{\"a\":{\"enum\":[\"ok\",\"\\\"q\\\"\"]}}}"));
        assertTrue(refused("{\"type\":\"object\",\"properties\":{\"a\\\\b\":{\"type\":\"string\"}}}")
                .startsWith("$.properties.a\\b: the string 'a\\b' holds"));
        assertTrue(refused("{\"type\":\"object\",\"properties\":{\"a\":{\"const\":{\"x\":[\"line\\nbreak\"]}}}}")
                .startsWith("$.properties.a.const: the string 'line\\nbreak' holds"));
        // Found by this test's converter run: a reference to something that is not a schema.
        assertEquals("$.properties.n.$ref: '#/properties' does not point at a schema (under properties, items, $defs, ...)",
                refused("{\"type\":\"object\",\"properties\":{\"n\":{\"$ref\":\"#/properties\"}}}"));
        assertEquals("$.properties.a.anyOf: must be a non-empty array of schemas",
                refused("{\"type\":\"object\",\"properties\":{\"a\":{\"anyOf\":{}}}}"));
    }

    @Test
    void aSchemaThatSaysNothingAboutItsShapeMeansAnyValue() {
        String any = "{\"type\":[\"string\",\"number\",\"boolean\",\"null\",\"object\",\"array\"]}";
        assertEquals("{\"type\":\"object\",\"properties\":{\"a\":" + any + ",\"b\":" + any + ",\"c\":" + any + "}}",
                ready("{\"type\":\"object\",\"properties\":{\"a\":{\"description\":\"anything\"},\"b\":{},\"c\":true}}"));
        String plain = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"format\":\"email\"}}}";
        assertEquals(plain, ready(plain), "kept as is");
    }

    @Test
    void everySchemaLetThroughConvertsWithoutAbortingTheJvm() {
        assertEquals(Availability.available(), NativeLibrary.status());
        List<String> schemas = List.of(
                "{\"type\":\"object\",\"properties\":{\"a\":{\"description\":\"anything\"},\"b\":{},\"c\":true}}",
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"format\":\"email\"}}}",
                "{\"type\":\"object\",\"properties\":{\"a\":{\"format\":\"date\"},\"b\":{\"minLength\":2}}}",
                "{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"#/$defs/p\"}},\"$defs\":{\"p\":{\"type\":\"integer\"}}}",
                "{\"type\":\"object\",\"properties\":{\"a\":{\"additionalProperties\":true}}}",
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\",\"items\":{},\"uniqueItems\":true}}}",
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\",\"minimum\":0,\"multipleOf\":2}}}",
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"pattern\":\"^(a$\"}}}",
                "{\"type\":\"object\",\"additionalProperties\":{\"type\":\"integer\"}}",
                "{\"type\":\"object\",\"properties\":{\"n\":{\"$ref\":\"#/$defs/node\"}},\"$defs\":{\"node\":"
                        + "{\"type\":\"object\",\"properties\":{\"next\":{\"$ref\":\"#/$defs/node\"}}}}}");
        for (String s : schemas) {
            String json = ready(s);
            String grammar = LlamaModel.jsonSchemaToGrammar(json);
            assertTrue(grammar.contains("root ::= "), s + " gave " + grammar);
        }
    }

    @Test
    void renamingLeavesLiteralsClassesAndCountsAlone() {
        String g = "root ::= \"{\" space \"root\\\"x\" [a-z\\]] item{0,15} # root comment\nspace ::= \" \"?\nitem ::= [0-9]";
        assertEquals("p-root ::= \"{\" p-space \"root\\\"x\" [a-z\\]] p-item{0,15} # root comment\np-space ::= \" \"?\np-item ::= [0-9]",
                Gbnf.prefixed(g, "p-"));
    }

    @Test
    void theSpaceRuleIsReplaced() {
        String g = "root ::= \"{\" space \"}\" space\nspace ::= | \" \" | \"\\n\"{1,2} [ \\t]{0,20}\n";
        assertEquals("root ::= \"{\" space \"}\" space\nspace ::= \" \"?\n", Gbnf.withSpace(g, Gbnf.ONE_SPACE));
        assertEquals("root ::= \"{\" space \"}\" space\nspace ::= \"\"\n", Gbnf.withSpace(g, Gbnf.NO_SPACE));
    }

    @Test
    void aCallGrammarNamesEachToolAndBoundsTheLines() {
        Grammars grammars = new Grammars(schema -> "root ::= \"{\" space \"}\" space\nspace ::= | \" \"\n");
        String one = grammars.calls(List.of(InProcessToolsTest.MOVE), false);
        assertTrue(one.startsWith("root ::= sc-calls\nsc-calls ::= sc-call\nsc-call ::= sc-call-0\n"
                + "sc-call-0 ::= \"{\\\"name\\\":\\\"move\\\",\\\"arguments\\\":\" t0-root \"}\"\n"), one);
        assertTrue(one.contains("t0-space ::= \"\"\n"), one);
        String many = grammars.calls(List.of(InProcessToolsTest.MOVE, InProcessToolsTest.TURN), true);
        assertTrue(many.contains("sc-calls ::= sc-call (\"\\n\" sc-call){0,7}\nsc-call ::= sc-call-0 | sc-call-1\n"), many);
        String either = grammars.callsOrAnswer(List.of(InProcessToolsTest.MOVE), false, ResponseFormat.JSON_OBJECT);
        assertTrue(either.startsWith("root ::= sc-calls | a-root\n") && either.contains("a-space ::= \" \"?"), either);
        assertThrows(Grammars.UnusableSchema.class, () -> grammars.answer(ResponseFormat.jsonSchema("x",
                JsonSchema.of("{\"type\":\"object\",\"properties\":{\"a\":{\"not\":{}}}}"))));
        assertEquals(ToolChoice.AUTO, ToolChoice.AUTO); // the choice itself is read by Shape; see InProcessToolsTest
    }

    /**
     * A model biased hard towards blanks and newlines: under the converter's own grammar it pads
     * every gap, under ours at most one blank separates two tokens and the answer still completes.
     */
    @Test
    void aModelThatWantsOnlyBlanksGetsAtMostOneBetweenTokens() throws Exception {
        assertEquals(Availability.available(), NativeLibrary.status());
        Path file = dir.resolve("tiny.gguf");
        TinyLlama.demo().write(file);
        LlamaModel model = new LlamaModel(new ModelParameters().setModel(file.toString()).setCtxSize(512).setParallel(1).disableLog());
        JsonSchema schema = JsonSchema.of("{\"type\":\"object\",\"properties\":{\"side\":{\"enum\":[\"left\",\"right\"]},"
                + "\"count\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":9}},\"required\":[\"side\",\"count\"]}");
        String raw = LlamaModel.jsonSchemaToGrammar(schema.json());
        String ours = new Grammars().answer(ResponseFormat.jsonSchema("s", schema));
        String padded = generate(model, raw);
        String bounded = generate(model, ours);
        assertTrue(padded.contains("  ") || padded.contains("\n"), "the converter's grammar lets blanks pile up: " + padded);
        assertFalse(bounded.contains("  ") || bounded.contains("\n"), "ours allows one blank at most: " + bounded);
        assertEquals(List.of(), SchemaCheck.problems(schema, bounded), bounded);
        assertTrue(bounded.length() < padded.length(), bounded + " vs " + padded);

        // A grammar llama.cpp cannot parse is not an error there: it generates free text. The guard sees it.
        GrammarGuard guard = new GrammarGuard(piece -> { });
        for (LlamaOutput o : model.generate(new InferenceParameters("hello").setNPredict(8).setTemperature(0)
                .setGrammar("root ::= ( \"{\""))) {
            if (!o.text.isEmpty()) {
                guard.accept(o.text);
            }
        }
        assertTrue(guard.refused(), "unconstrained text was recognised");
    }

    private static String generate(LlamaModel model, String grammar) {
        // The byte tokens of blank, newline and tab (this vocabulary spells whitespace with them).
        List<String> vocabulary = TinyLlama.vocabulary();
        Map<Integer, Float> bias = Map.of(vocabulary.indexOf("<0x20>"), 20f, vocabulary.indexOf("<0x0A>"), 20f,
                vocabulary.indexOf("<0x09>"), 20f);
        InferenceParameters p = new InferenceParameters("{").setNPredict(200).setTemperature(0).setGrammar(grammar)
                .setTokenIdBias(bias);
        StringBuilder b = new StringBuilder();
        for (LlamaOutput o : model.generate(p)) {
            b.append(o.text);
        }
        return b.toString();
    }
}
