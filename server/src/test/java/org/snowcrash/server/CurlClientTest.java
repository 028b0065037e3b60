package org.snowcrash.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import org.snowcrash.testkit.Skip;

/** curl, as the README shows it, against the server and the real in-process backend. */
class CurlClientTest {

    private static String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(3, TimeUnit.MINUTES));
        return out;
    }

    @Test
    void curlStreamsAndGetsJsonErrors() throws Exception {
        Skip.unless("no curl", Files.isExecutable(Path.of("/usr/bin/curl")) ? "" : "/usr/bin/curl is missing (apt-get install curl)");
        try (SnowcrashServer server = ServeTestSupport.start(ServeTestSupport.inProcess(ServeTestSupport.tempModels()))) {
            String base = server.uri().toString();
            String auth = "Authorization: Bearer " + ServeTestSupport.KEY;
            assertEquals("{\"status\":\"ok\"}", curl(base + "health"));

            String stream = curl("-N", base + "v1/chat/completions", "-H", auth, "-H", "Content-Type: application/json",
                    "-d", "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"max_tokens\":8,\"temperature\":0,"
                            + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
            List<String> data = stream.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
            assertEquals("[DONE]", data.get(data.size() - 1), stream);
            JsonNode usage = ServeTestSupport.json(data.get(data.size() - 2)).path("usage");
            assertEquals(8, usage.path("completion_tokens").asInt(), stream);
            assertTrue(stream.lines().allMatch(l -> l.isEmpty() || l.startsWith("data: ")), "plain OpenAI frames: " + stream);

            JsonNode blocking = ServeTestSupport.json(curl(base + "v1/chat/completions", "-H", auth, "-H",
                    "Content-Type: application/json", "-d",
                    "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"max_tokens\":4,\"temperature\":0}"));
            assertEquals(4, blocking.path("usage").path("completion_tokens").asInt(), blocking.toString());

            String refused = curl("-w", "\n%{http_code}", base + "v1/models");
            assertTrue(refused.endsWith("\n401"), refused);
            assertEquals("invalid_api_key", ServeTestSupport.json(refused.substring(0, refused.lastIndexOf('\n')))
                    .path("error").path("code").asText());
        }
    }
}
