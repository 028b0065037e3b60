package org.snowcrash.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.snowcrash.backend.docker.RequiresDocker;

import com.fasterxml.jackson.databind.JsonNode;
import org.snowcrash.testkit.docker.LlamaServerContainer;

/**
 * The official {@code openai} npm package with tools and structured output against the server
 * and the trained demo model, in process and in a llama-server container. The script validates
 * every call's arguments and every structured answer with {@code ajv} against its JSON Schema;
 * this test asserts what it saw: forced calls ({@code required}, a named tool) are schema-valid
 * calls whatever the weights, streamed calls come in OpenAI's pieces, results go back as tool
 * messages, {@code json_schema} answers match their schema, and the model itself chooses to call
 * {@code move} for "Drive forward 3 meters."
 */
class OpenAiNodeToolsTest {

    @AfterEach
    void nothingLeft() throws Exception {
        List<String> left = LlamaServerContainer.containers();
        LlamaServerContainer.removeOwn();
        assertEquals(List.of(), left, "containers left behind");
    }

    @Test
    void inProcess() throws Exception {
        Node.require("openai", "ajv");
        Path models = ServeTestSupport.demoModels();
        check(ServeTestSupport.inProcess(models), "llamacpp", ServeTestSupport.demoKnowsTools(models));
    }

    @Test
    @RequiresDocker
    void onDocker() throws Exception {
        Node.require("openai", "ajv");
        Path models = ServeTestSupport.demoModels();
        check(DockerRun.settings(models, ""), "docker", ServeTestSupport.demoKnowsTools(models));
    }

    private static void check(Map<String, String> settings, String backend, boolean trained) throws Exception {
        try (SnowcrashServer server = ServeTestSupport.start(settings)) {
            Node.Result r = Node.run(Duration.ofMinutes(12), "openai-tools.mjs", server.uri() + "v1", ServeTestSupport.KEY,
                    "demo", String.valueOf(trained));
            assertEquals(0, r.exitCode(), "stderr: " + r.err() + "\nstdout: " + r.out());
            JsonNode out = ServeTestSupport.json(r.out());

            assertCalls(out.path("required"), Set.of("move", "turn"));
            assertEquals(backend, out.path("required").path("fingerprint").asText(), "served by the backend under test");
            assertCalls(out.path("named"), Set.of("turn"));

            JsonNode streaming = out.path("streaming");
            assertCalls(streaming, Set.of("move", "turn"));
            // OpenAI's pieces: a call's first piece has its id, type and name; later ones only arguments.
            Set<Integer> opened = new HashSet<>();
            for (JsonNode p : streaming.path("pieces")) {
                boolean first = opened.add(p.path("index").asInt());
                assertEquals(first, p.hasNonNull("id"), p.toString());
                assertEquals(first, p.hasNonNull("name"), p.toString());
                assertEquals(first ? "function" : null, p.hasNonNull("type") ? p.path("type").asText() : null, p.toString());
            }
            assertEquals(streaming.path("calls").size(), opened.size());
            assertTrue(streaming.path("usage").path("completion_tokens").asInt() > 0, streaming.toString());
            assertCalls(out.path("helper"), Set.of("move", "turn"));

            JsonNode followUp = out.path("followUp");
            assertTrue(followUp.path("content").isTextual(), followUp.toString());
            assertEquals(0, followUp.path("calls").size(), "tool_choice none: text, no call " + followUp);
            assertTrue(Set.of("stop", "length").contains(followUp.path("finish").asText()), followUp.toString());

            for (String f : List.of("jsonSchema", "jsonSchemaStreaming", "jsonObject")) {
                JsonNode j = out.path(f);
                assertTrue(j.path("valid").asBoolean(), f + " answer not valid against its schema: " + j);
                assertEquals("stop", j.path("finish").asText(), f + ": " + j);
            }

            // The demo model trained on tools, left to choose, calls move for a drive command.
            if (!trained) {
                ServeTestSupport.noteUntrainedDemo("OpenAiNodeToolsTest." + backend);
            } else {
                assertChoseMove(out.path("auto"));
            }

            JsonNode bad = out.path("badChoice");
            assertTrue(bad.path("thrown").asBoolean(), bad.toString());
            assertEquals("BadRequestError", bad.path("class").asText(), bad.toString());
            assertEquals(400, bad.path("status").asInt());
            assertEquals("tool_choice.function.name", bad.path("param").asText(), bad.toString());
        }
    }

    private static void assertChoseMove(JsonNode auto) {
        assertEquals("tool_calls", auto.path("finish").asText(), auto.toString());
        JsonNode call = auto.path("calls").path(0);
        assertEquals("move", call.path("name").asText(), auto.toString());
        assertTrue(call.path("valid").asBoolean(), auto.toString());
        assertEquals("forward", call.path("args").path("direction").asText(), auto.toString());
        assertEquals(3.0, call.path("args").path("meters").asDouble(), auto.toString());
    }

    /** A forced answer: finish_reason tool_calls, at least one call, each to an offered tool, with an id, ajv-valid. */
    private static void assertCalls(JsonNode answer, Set<String> allowed) {
        assertEquals("tool_calls", answer.path("finish").asText(), answer.toString());
        assertTrue(answer.path("calls").size() >= 1, answer.toString());
        Set<String> ids = new HashSet<>();
        for (JsonNode c : answer.path("calls")) {
            assertTrue(allowed.contains(c.path("name").asText()), c.toString());
            assertTrue(c.path("id").asText().length() > 0 && ids.add(c.path("id").asText()), "unique ids: " + answer);
            assertEquals("function", c.path("type").asText(), c.toString());
            assertTrue(c.path("valid").asBoolean(), "arguments not valid against the schema (ajv): " + c);
        }
    }
}
