package org.snowcrash.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The official {@code openai} npm package (a node script) against the server and the real
 * in-process backend: blocking, streaming with {@code include_usage}, and our errors as the
 * package's own error classes.
 */
class OpenAiNodeClientTest {

    @Test
    void theOfficialOpenAiPackageStreamsAndGetsItsOwnErrors() throws Exception {
        Node.require("openai");
        try (SnowcrashServer server = ServeTestSupport.start(ServeTestSupport.inProcess(ServeTestSupport.tempModels()))) {
            Node.Result r = Node.run(Duration.ofMinutes(3), "openai-client.mjs", server.uri() + "v1", ServeTestSupport.KEY);
            assertEquals(0, r.exitCode(), r.err());
            JsonNode out = ServeTestSupport.json(r.out());

            JsonNode blocking = out.path("blocking");
            assertEquals("length", blocking.path("finish").asText());
            assertEquals(8, blocking.path("usage").path("completion_tokens").asInt());
            assertEquals("llamacpp", blocking.path("fingerprint").asText());

            JsonNode streaming = out.path("streaming");
            assertEquals(blocking.path("text").asText(), streaming.path("text").asText(), "greedy: the same answer");
            // The role chunk, pieces (one piece may hold several tokens), the finish chunk, the usage chunk.
            assertTrue(streaming.path("chunks").asInt() >= 5, streaming.toString());
            assertEquals(8, streaming.path("usage").path("completion_tokens").asInt(), "include_usage honoured");
            assertEquals(blocking.path("usage").path("prompt_tokens").asInt(), streaming.path("usage").path("prompt_tokens").asInt());
            assertEquals("length", streaming.path("finish").asText());

            assertFailure(out.path("unknownModel"), "NotFoundError", 404, "model_not_found");
            assertFailure(out.path("unknownModelStreaming"), "NotFoundError", 404, "model_not_found");
            assertFailure(out.path("wrongKey"), "AuthenticationError", 401, "invalid_api_key");
            assertFailure(out.path("overflow"), "BadRequestError", 400, "context_length_exceeded");
            assertEquals(List.of("llama", "phi-3", "gemma", "demo"),
                    ServeTestSupport.JSON.convertValue(out.path("models"), List.class));
        }
    }

    private static void assertFailure(JsonNode f, String errorClass, int status, String code) {
        assertTrue(f.path("thrown").asBoolean(), f.toString());
        assertEquals(errorClass, f.path("class").asText(), f.toString());
        assertEquals(status, f.path("status").asInt(), f.toString());
        assertEquals(code, f.path("code").asText(), f.toString());
    }
}
