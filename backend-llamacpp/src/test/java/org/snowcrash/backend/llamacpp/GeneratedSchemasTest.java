package org.snowcrash.backend.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.JsonSchema;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.Settings;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolSpec;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.tools.SchemaCheck;

/**
 * For generated object schemas (enums, bounded integers, numbers, booleans, short patterned strings,
 * nested objects, required and optional properties), a random-weight model under the grammar gives
 * a forced call whose arguments are valid, and a JSON answer that is valid. Every value is
 * bounded, so every answer completes within the token limit whatever the weights.
 */
class GeneratedSchemasTest {

    private static ModelSession session;

    private static synchronized ModelSession session() throws Exception {
        if (session == null) {
            Path dir = Files.createTempDirectory("llamacpp-properties");
            Path file = dir.resolve("tiny.gguf");
            TinyLlama.demo().write(file);
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            session = new LlamaCppBackend().start(ModelSpec.builder("tiny", file).contextSize(1024).gpuLayers(0).build(),
                    BackendContext.of(Settings.empty()));
        }
        return session;
    }

    @Provide
    Arbitrary<String> schemas() {
        return object(2);
    }

    private static Arbitrary<String> object(int depth) {
        Arbitrary<String> value = depth > 0 ? Arbitraries.oneOf(leaf(), object(depth - 1)) : leaf();
        return Combinators.combine(value.list().ofMinSize(1).ofMaxSize(4), Arbitraries.integers().between(0, 15))
                .as((values, requiredMask) -> {
                    List<String> props = new ArrayList<>();
                    List<String> required = new ArrayList<>();
                    for (int i = 0; i < values.size(); i++) {
                        props.add("\"p" + i + "\":" + values.get(i));
                        if ((requiredMask >> i & 1) == 1) {
                            required.add("\"p" + i + "\"");
                        }
                    }
                    return "{\"type\":\"object\",\"properties\":{" + String.join(",", props) + "},\"required\":["
                            + String.join(",", required) + "]}";
                });
    }

    private static Arbitrary<String> leaf() {
        return Arbitraries.oneOf(
                Arbitraries.of("a", "b c", "d-e", "f'g!", "\u00e9t\u00e9").list().uniqueElements().ofMinSize(1).ofMaxSize(3)
                        .map(vs -> "{\"type\":\"string\",\"enum\":[\"" + String.join("\",\"", vs) + "\"]}"),
                Combinators.combine(Arbitraries.integers().between(-50, 50), Arbitraries.integers().between(0, 500))
                        .as((min, span) -> "{\"type\":\"integer\",\"minimum\":" + min + ",\"maximum\":" + (min + span) + "}"),
                Arbitraries.just("{\"type\":\"number\"}"),
                Arbitraries.just("{\"type\":\"boolean\"}"),
                // A pattern, not maxLength: with byte tokens a random model can write invalid UTF-8, which
                // b4916's grammar counts as one character per byte and Java decodes to more (see the docs).
                Arbitraries.integers().between(0, 6).map(n -> "{\"type\":\"string\",\"pattern\":\"^[a-z ]{0," + n + "}$\"}"));
    }

    @Property(tries = 12, seed = "20261207")
    void aForcedCallAndAJsonAnswerAreValidForAnyGeneratedSchema(@ForAll("schemas") String schemaJson) throws Exception {
        JsonSchema schema = JsonSchema.of(schemaJson);
        ToolSpec tool = new ToolSpec("act", "Do it.", schema);
        List<ChatMessage> messages = List.of(ChatMessage.user("go"));
        ChatResponse call = session().chat(ChatRequest.of(messages, 400).withTemperature(0)
                .withTools(List.of(tool), ToolChoice.named("act")).withParallelToolCalls(false));
        assertEquals(FinishReason.TOOL_CALLS, call.finishReason(), schemaJson + " -> " + call);
        ToolCall c = call.toolCalls().get(0);
        assertEquals(List.of(), SchemaCheck.problems(schema, c.arguments()), schemaJson + " -> " + c.arguments());

        ChatResponse json = session().chat(ChatRequest.of(messages, 400).withTemperature(0)
                .withResponseFormat(ResponseFormat.jsonSchema("s", schema)));
        assertEquals(FinishReason.STOP, json.finishReason(), schemaJson + " -> " + json);
        assertEquals(List.of(), SchemaCheck.problems(schema, json.text()), schemaJson + " -> " + json.text());
    }
}
