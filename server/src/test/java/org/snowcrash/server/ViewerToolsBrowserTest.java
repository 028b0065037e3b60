package org.snowcrash.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.snowcrash.api.JsonSchema;
import org.snowcrash.tools.SchemaCheck;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The viewer's tools in a real browser (Debian's chromium, headless, via playwright-core) against
 * the server, the in-process backend and the trained demo model: a forced call shows as a
 * {@code tool: move {...}} line with schema-valid arguments, the result typed back shows as
 * {@code result: ok} and reaches the server as a tool message answering that call, and the model
 * then answers in text. Keeps {@code target/viewer-tools.png}.
 */
class ViewerToolsBrowserTest {

    private static final Pattern LINE = Pattern.compile("tool: (move|turn) (\\{.*\\})", Pattern.DOTALL);

    @Test
    void aCallShowsAsAToolLineAndItsResultGoesBackAsAToolMessage() throws Exception {
        Node.require("playwright-core");
        Path shot = Path.of(System.getProperty("snowcrash.test.artifacts", "target")).resolve("viewer-tools.png");
        Files.deleteIfExists(shot);
        try (SnowcrashServer server = ServeTestSupport.start(ServeTestSupport.inProcess(ServeTestSupport.demoModels()))) {
            Node.Result r = Node.run(Duration.ofMinutes(6), "viewer-tools.mjs", server.uri().toString(), ServeTestSupport.KEY,
                    shot.toAbsolutePath().toString());
            assertEquals(0, r.exitCode(), r.err());
            JsonNode out = ServeTestSupport.json(r.out());

            assertFalse(out.path("firstError").asBoolean(), out.toString());
            List<String> lines = new ArrayList<>();
            out.path("callLines").forEach(l -> lines.add(l.asText()));
            assertFalse(lines.isEmpty(), "tool_choice required: the answer is a call " + out);
            for (String line : lines) {
                Matcher m = LINE.matcher(line);
                assertTrue(m.matches(), line);
                String schema = m.group(1).equals("move") ? LangChain4jToolsContract.MOVE_SCHEMA : LangChain4jToolsContract.TURN_SCHEMA;
                assertEquals(List.of(), SchemaCheck.problems(JsonSchema.of(schema), m.group(2)), line);
            }
            assertTrue(out.path("placeholder").asText().startsWith("Result of "), out.path("placeholder").asText());

            List<String> results = new ArrayList<>();
            out.path("results").forEach(t -> results.add(t.asText()));
            assertEquals(Collections.nCopies(lines.size(), "result: ok"), results);

            // The second request carried the calls and their results, each result answering a call by id.
            JsonNode bodies = out.path("bodies");
            assertEquals(2, bodies.size(), bodies.toString());
            assertEquals("required", bodies.path(0).path("tool_choice").asText());
            JsonNode second = bodies.path(1);
            assertEquals("none", second.path("tool_choice").asText());
            JsonNode messages = second.path("messages");
            JsonNode assistant = messages.path(messages.size() - lines.size() - 1);
            assertEquals("assistant", assistant.path("role").asText(), messages.toString());
            assertEquals(lines.size(), assistant.path("tool_calls").size(), messages.toString());
            for (int i = 0; i < lines.size(); i++) {
                JsonNode call = assistant.path("tool_calls").path(i);
                JsonNode result = messages.path(messages.size() - lines.size() + i);
                assertEquals("tool", result.path("role").asText(), messages.toString());
                assertEquals(call.path("id").asText(), result.path("tool_call_id").asText());
                assertEquals("ok", result.path("content").asText());
                assertEquals(lines.get(i), "tool: " + call.path("function").path("name").asText() + " "
                        + call.path("function").path("arguments").asText());
            }

            assertFalse(out.path("secondError").asBoolean(), out.toString());
            assertTrue(out.path("usage").asText().matches("\\d+ prompt \\+ \\d+ completion tokens"), out.toString());
            assertTrue(out.path("placeholderAfter").asText().startsWith("Ask something"), out.toString());
            assertEquals(0, out.path("consoleErrors").size(), out.path("consoleErrors").toString());
            assertTrue(Files.size(shot) > 10_000, "the screenshot is kept in " + shot);
        }
    }
}
