package org.snowcrash.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.snowcrash.server.ServeTestSupport.KEY;
import static org.snowcrash.server.ServeTestSupport.chat;
import static org.snowcrash.server.ServeTestSupport.json;
import static org.snowcrash.server.ServeTestSupport.post;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A request that needs what no backend of the server honours: a server whose only backend is the
 * remote one, declared to honour neither tools nor JSON schemas ({@code backend.remote.capabilities=none},
 * as for a server that ignores them), pointed at a second, real server that runs the model in process. Tools or a JSON schema are refused with a 400 naming the field and
 * saying which backend lacks what, both before the model has started (the fallback chain skips the
 * remote backend) and once it runs there (the runtime refuses before sending); plain requests are
 * served all along.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServeToolsUnsupportedTest {

    private static SnowcrashServer upstream;
    private static SnowcrashServer server;
    private static URI base;

    @BeforeAll
    static void start() {
        Path models = ServeTestSupport.tempModels();
        upstream = ServeTestSupport.start(ServeTestSupport.inProcess(models));
        Map<String, String> s = new HashMap<>(ServeTestSupport.inProcess(models));
        s.put("backend.llamacpp.enabled", "false");
        s.put("backend.remote.endpoints", upstream.uri() + "v1");
        s.put("backend.remote.api-key", KEY);
        // What an operator declares for an OpenAI-compatible server that ignores tools and response formats.
        s.put("backend.remote.capabilities", "none");
        server = ServeTestSupport.start(s);
        base = server.uri();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private static String withTools() {
        return chat("demo", "drive forward 3 meters", 4, false, "\"tools\":[" + ServeToolsBadInputTest.MOVE + "]");
    }

    private static String withSchema() {
        return chat("demo", "how many cups?", 4, false,
                "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a\",\"schema\":{\"type\":\"object\"}}}");
    }

    private static void assertUnsupported(HttpResponse<String> r, String param, String lacks) {
        assertEquals(400, r.statusCode(), r.body());
        JsonNode e = json(r.body()).path("error");
        assertEquals("invalid_request_error", e.path("type").asText(), r.body());
        assertEquals("unsupported_capability", e.path("code").asText(), r.body());
        assertEquals(param, e.path("param").asText(), r.body());
        assertTrue(e.path("message").asText().contains("remote") && e.path("message").asText().contains(lacks), r.body());
    }

    @Test
    @Order(1)
    void beforeTheModelStartsNoBackendThatCanHonourToolsIsFound() throws Exception {
        assertUnsupported(post(base, "/v1/chat/completions", withTools(), KEY), "tools", "TOOLS");
        ServeTestSupport.Stream streamed = ServeTestSupport.stream(base, withTools().replace("\"stream\":false", "\"stream\":true"));
        assertEquals(400, streamed.status());
        assertEquals("tools", json(streamed.errorBody()).path("error").path("param").asText(), streamed.errorBody());
        assertUnsupported(post(base, "/v1/chat/completions", withSchema(), KEY), "response_format", "JSON_SCHEMA");
        ServeToolsBadInputTest.assertServing(base, "remote");
    }

    @Test
    @Order(2)
    void onceTheModelRunsOnTheRemoteBackendTheRuntimeRefusesWhatItLacks() throws Exception {
        ServeToolsBadInputTest.assertServing(base, "remote");
        assertUnsupported(post(base, "/v1/chat/completions", withTools(), KEY), "tools", "TOOLS");
        assertUnsupported(post(base, "/v1/chat/completions", withSchema(), KEY), "response_format", "JSON_SCHEMA");
        // tool_choice none needs no tool support: the tools only describe what exists.
        HttpResponse<String> none = post(base, "/v1/chat/completions", chat("demo", "hello", 2, false,
                "\"tools\":[" + ServeToolsBadInputTest.MOVE + "],\"tool_choice\":\"none\""), KEY);
        assertEquals(200, none.statusCode(), none.body());
        ServeToolsBadInputTest.assertServing(base, "remote");
    }
}
