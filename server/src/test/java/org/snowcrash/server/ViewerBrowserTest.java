package org.snowcrash.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.snowcrash.demo.DemoModel;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The viewer end to end in a real browser (Debian's chromium, headless, via playwright-core)
 * against the server and the real in-process backend. Keeps {@code target/viewer.png}.
 */
class ViewerBrowserTest {

    @Test
    void aQuestionTypedInTheViewerStreamsItsAnswerAndShowsWhoServesIt() throws Exception {
        Node.require("playwright-core");
        Path shot = Path.of(System.getProperty("snowcrash.test.artifacts", "target")).resolve("viewer.png");
        Files.deleteIfExists(shot);
        try (SnowcrashServer server = ServeTestSupport.start(ServeTestSupport.inProcess(ServeTestSupport.tempModels()))) {
            Node.Result r = Node.run(Duration.ofMinutes(4), "viewer.mjs", server.uri().toString(), ServeTestSupport.KEY,
                    shot.toAbsolutePath().toString(), DemoModel.SCENE);
            assertEquals(0, r.exitCode(), r.err());
            JsonNode out = ServeTestSupport.json(r.out());

            assertTrue(out.path("askedForKey").asBoolean());
            // A first visit opens on a model that can answer (the catalog lists llama first, whose
            // file is missing here), marks the missing ones, and starts from the demo's scene.
            assertEquals("demo", out.path("initialModel").asText(), out.toString());
            assertTrue(out.path("options").toString().contains("llama (file missing)"), out.path("options").toString());
            assertEquals(DemoModel.SCENE, out.path("initialSystem").asText());
            assertFalse(out.path("keyInPage").asBoolean(), "the key is never in the page's HTML");
            assertFalse(out.path("answer").asText().isEmpty(), out.toString());
            // The answer grew piece by piece: the page showed it at several lengths before the last.
            java.util.Set<Integer> lengths = new java.util.TreeSet<>();
            out.path("lengths").forEach(l -> lengths.add(l.asInt()));
            lengths.remove(0);
            assertTrue(lengths.size() >= 2, "streamed, not all at once: " + lengths + " for " + out.path("answer"));
            assertEquals(out.path("answer").asText().length(), (int) ((java.util.TreeSet<Integer>) lengths).last());
            assertEquals("served by: llamacpp", out.path("servedBy").asText());
            assertTrue(out.path("usage").asText().matches("\\d+ prompt \\+ \\d+ completion tokens"), out.path("usage").asText());
            List<String> log = new ArrayList<>();
            out.path("log").forEach(l -> log.add(l.asText()));
            assertTrue(log.stream().anyMatch(l -> l.startsWith("demo: skipped docker")), log.toString());
            assertTrue(log.contains("demo: served-by llamacpp"), log.toString());
            assertTrue(out.path("modelState").asText().startsWith("ready on llamacpp"), out.path("modelState").asText());

            // What the page gave to speech synthesis is the answer, sentence by sentence.
            List<String> spoken = new ArrayList<>();
            out.path("spoken").forEach(s -> spoken.add(s.asText()));
            assertEquals(out.path("answer").asText(), String.join("", spoken));
            assertEquals(String.valueOf(spoken.size()), out.path("sentences").asText());

            assertFalse(out.path("fragmentDialogOpen").asBoolean(), "a key in the fragment needs no dialog");
            assertEquals("", out.path("fragmentLeft").asText(), "the fragment is taken out of the address bar");
            out.path("requests").forEach(u -> assertTrue(u.asText().startsWith(server.uri().toString()),
                    "the page fetched something from elsewhere: " + u.asText()));
            assertEquals(0, out.path("consoleErrors").size(), out.path("consoleErrors").toString());
            assertTrue(Files.size(shot) > 10_000, "the screenshot is kept in " + shot);
        }
    }
}
