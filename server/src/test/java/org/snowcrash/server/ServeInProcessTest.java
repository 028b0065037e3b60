package org.snowcrash.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.snowcrash.server.ServeTestSupport.KEY;
import static org.snowcrash.server.ServeTestSupport.chat;
import static org.snowcrash.server.ServeTestSupport.get;
import static org.snowcrash.server.ServeTestSupport.json;
import static org.snowcrash.server.ServeTestSupport.post;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import okhttp3.Request;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

/**
 * The server's HTTP contract against the real in-process backend (llama.cpp in this JVM) and our
 * random-weight demo model: key, routes, blocking and streaming answers, the extension, errors,
 * models, metrics and the event stream. One server and one model load for the class; the first
 * test is the one that starts the model, so it sees the start's events.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServeInProcessTest {

    private static SnowcrashServer server;
    private static URI base;
    /** Completion tokens of every answer so far, as their usage said: what the metrics must count. */
    private static int completionTokens;

    @BeforeAll
    static void start() {
        server = ServeTestSupport.start(ServeTestSupport.inProcess(ServeTestSupport.tempModels()));
        base = server.uri();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    @Order(1)
    void theEventStreamTellsAModelsFirstStartAndTheStreamCarriesItsEventsSentencesAndBackend() throws Exception {
        // GET /v1/events first: it must see the start that the chat request below causes.
        List<ServeTestSupport.Event> global = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> connected = new CompletableFuture<>();
        CompletableFuture<Void> servedBy = new CompletableFuture<>();
        Request events = new Request.Builder().url(base.resolve("/v1/events").toString())
                .header("Authorization", "Bearer " + KEY).header("Accept", "text/event-stream").build();
        EventSource source = EventSources.createFactory(ServeTestSupport.OK).newEventSource(events, new EventSourceListener() {
            @Override
            public void onEvent(EventSource s, String id, String type, String data) {
                global.add(new ServeTestSupport.Event(type, data));
                connected.complete(null);
                if ("lifecycle".equals(type) && data.contains("\"served_by\"")) {
                    servedBy.complete(null);
                }
            }

            @Override
            public void onFailure(EventSource s, Throwable t, Response response) {
                connected.completeExceptionally(new AssertionError("event stream failed: " + t + " " + response));
            }
        });
        try {
            // The first event (the models snapshot) says the stream is open before the request goes.
            connected.get(30, TimeUnit.SECONDS);
            assertEquals("models", global.get(0).name());
            assertEquals("unloaded", modelState(global.get(0).json(), "demo"));

            ServeTestSupport.Stream s = ServeTestSupport.stream(base, chat("demo", "Hello there. Tell me more.", 24, true,
                    "\"snowcrash\":{\"events\":true,\"sentences\":true}", "\"stream_options\":{\"include_usage\":true}"));
            assertEquals(200, s.status(), String.valueOf(s.failure()));
            completionTokens += s.chunks().get(s.chunks().size() - 1).path("usage").path("completion_tokens").asInt();
            List<String> types = s.named("snowcrash.lifecycle").stream().map(e -> e.json().path("type").asText()).toList();
            assertTrue(types.containsAll(List.of("skipped", "starting", "ready", "served_by")), types.toString());
            assertEquals("llamacpp", s.named("snowcrash.served_by").get(0).json().path("backend").asText());
            // The extension's events come before the first chunk; OpenAI's chunks are untouched by them.
            int firstChunk = s.events().indexOf(s.events().stream().filter(e -> e.name() == null).findFirst().orElseThrow());
            int lastLifecycle = s.events().lastIndexOf(s.named("snowcrash.lifecycle").get(types.size() - 1));
            assertTrue(lastLifecycle < firstChunk, s.events().toString());
            String sentences = String.join("", s.named("snowcrash.sentence").stream().map(e -> e.json().path("text").asText()).toList());
            assertEquals(s.content(), sentences, "the sentences are exactly the streamed text");
            for (int i = 0; i < s.named("snowcrash.sentence").size(); i++) {
                assertEquals(i, s.named("snowcrash.sentence").get(i).json().path("index").asInt());
            }

            servedBy.get(30, TimeUnit.SECONDS);
            List<String> seen = global.stream().filter(e -> "lifecycle".equals(e.name()))
                    .map(e -> e.json().path("model").asText() + " " + e.json().path("type").asText()).toList();
            assertTrue(seen.containsAll(List.of("demo starting", "demo ready", "demo served_by")), seen.toString());
        } finally {
            source.cancel();
        }
    }

    private static String modelState(JsonNode list, String id) {
        for (JsonNode m : list.path("data")) {
            if (m.path("id").asText().equals(id)) {
                return m.path("snowcrash").path("state").asText();
            }
        }
        throw new AssertionError("no model " + id + " in " + list);
    }

    @Test
    @Order(2)
    void healthIsPublicTheViewerHoldsNoKeyAndEverythingElseNeedsTheKey() throws Exception {
        HttpResponse<String> health = get(base, "/health", null);
        assertEquals(200, health.statusCode());
        assertEquals("ok", json(health.body()).path("status").asText());

        HttpResponse<String> page = get(base, "/", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<title>Snowcrash</title>"));
        assertFalse(page.body().contains(KEY), "the page must never carry the key");
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));

        for (String path : List.of("/v1/models", "/v1/models/demo", "/metrics", "/v1/events")) {
            for (String key : new String[] {null, "wrong-key-0123456789"}) {
                HttpResponse<String> r = get(base, path, key);
                assertEquals(401, r.statusCode(), path + " with " + key);
                JsonNode error = json(r.body()).path("error");
                assertEquals("invalid_api_key", error.path("code").asText(), r.body());
                assertEquals("invalid_request_error", error.path("type").asText());
                assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
            }
        }
        // The chat route is Jetty's own handler in front of Javalin (ChatRoute): the same key check.
        for (String key : new String[] {null, "wrong-key-0123456789"}) {
            HttpResponse<String> chat = post(base, "/v1/chat/completions", chat("demo", "hi", 2, false), key);
            assertError(chat, 401, "invalid_request_error", "invalid_api_key", null);
            assertTrue(chat.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        }
        assertEquals(200, get(base, "/v1/models", KEY).statusCode());
    }

    @Test
    @Order(3)
    void blockingAndStreamingGiveTheSameAnswerWithUsage() throws Exception {
        HttpResponse<String> r = post(base, "/v1/chat/completions", chat("demo", "What do you see?", 8, false), KEY);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("llamacpp", r.headers().firstValue("X-Snowcrash-Backend").orElseThrow());
        JsonNode c = json(r.body());
        assertEquals("chat.completion", c.path("object").asText());
        assertEquals("demo", c.path("model").asText());
        assertTrue(c.path("id").asText().startsWith("chatcmpl-"));
        JsonNode choice = c.path("choices").path(0);
        assertEquals("assistant", choice.path("message").path("role").asText());
        assertEquals("length", choice.path("finish_reason").asText());
        assertEquals(8, c.path("usage").path("completion_tokens").asInt());
        int prompt = c.path("usage").path("prompt_tokens").asInt();
        assertTrue(prompt > 0);
        assertEquals(prompt + 8, c.path("usage").path("total_tokens").asInt());
        String text = choice.path("message").path("content").asText();
        completionTokens += 8;

        ServeTestSupport.Stream s = ServeTestSupport.stream(base, chat("demo", "What do you see?", 8, true,
                "\"stream_options\":{\"include_usage\":true}"));
        assertEquals(200, s.status());
        assertEquals("[DONE]", s.events().get(s.events().size() - 1).data());
        assertEquals(text, s.content(), "greedy decoding: the stream says what the blocking answer said");
        List<JsonNode> chunks = s.chunks();
        assertEquals("assistant", chunks.get(0).path("choices").path(0).path("delta").path("role").asText());
        for (JsonNode chunk : chunks) {
            assertEquals("chat.completion.chunk", chunk.path("object").asText());
            assertEquals(chunks.get(0).path("id").asText(), chunk.path("id").asText(), "one id for the whole answer");
            assertEquals("llamacpp", chunk.path("system_fingerprint").asText());
        }
        JsonNode last = chunks.get(chunks.size() - 1);
        assertEquals(0, last.path("choices").size(), "the usage chunk has no choices");
        assertEquals(8, last.path("usage").path("completion_tokens").asInt());
        completionTokens += 8;
        assertEquals(prompt, last.path("usage").path("prompt_tokens").asInt());
        for (JsonNode chunk : chunks.subList(0, chunks.size() - 1)) {
            assertTrue(chunk.has("usage") && chunk.path("usage").isNull(), "usage: null before the last chunk: " + chunk);
        }
        assertEquals("length", chunks.get(chunks.size() - 2).path("choices").path(0).path("finish_reason").asText());

        ServeTestSupport.Stream plain = ServeTestSupport.stream(base, chat("demo", "What do you see?", 8, true));
        assertEquals(text, plain.content());
        completionTokens += 8; // the same greedy answer as the blocking one
        assertTrue(plain.chunks().stream().noneMatch(ch -> ch.has("usage")), "no usage unless asked for");
        assertTrue(plain.events().stream().allMatch(e -> e.name() == null), "no extension events unless asked for");
    }

    @Test
    @Order(4)
    void errorsAreOpenAiShapedWithTheirStatus() throws Exception {
        // Unknown model: 404 model_not_found, blocking and streaming alike (nothing was streamed yet).
        HttpResponse<String> unknown = post(base, "/v1/chat/completions", chat("no-such-model", "hi", 2, false), KEY);
        assertError(unknown, 404, "invalid_request_error", "model_not_found", "model");
        assertTrue(json(unknown.body()).path("error").path("message").asText().contains("demo"), "names the known models");
        ServeTestSupport.Stream unknownStream = ServeTestSupport.stream(base, chat("no-such-model", "hi", 2, true));
        assertEquals(404, unknownStream.status());
        assertEquals("model_not_found", json(unknownStream.errorBody()).path("error").path("code").asText());
        assertError(get(base, "/v1/models/no-such-model", KEY), 404, "invalid_request_error", "model_not_found", "model");

        // Context overflow: 400 context_length_exceeded, blocking and streaming.
        String longQuestion = "word ".repeat(700);
        HttpResponse<String> overflow = post(base, "/v1/chat/completions", chat("demo", longQuestion, 4, false), KEY);
        assertError(overflow, 400, "invalid_request_error", "context_length_exceeded", "messages");
        assertTrue(json(overflow.body()).path("error").path("message").asText().contains("maximum context length is 512"),
                overflow.body());
        ServeTestSupport.Stream overflowStream = ServeTestSupport.stream(base, chat("demo", longQuestion, 4, true));
        assertEquals(400, overflowStream.status());
        assertEquals("context_length_exceeded", json(overflowStream.errorBody()).path("error").path("code").asText());

        // What cannot be honoured is refused, naming the field.
        assertError(post(base, "/v1/chat/completions", "{not json", KEY), 400, "invalid_request_error", "invalid_json", null);
        assertError(post(base, "/v1/chat/completions", "{\"model\":\"demo\"}", KEY), 400, "invalid_request_error",
                "missing_required_parameter", "messages");
        assertError(post(base, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", KEY),
                400, "invalid_request_error", "missing_required_parameter", "model");
        assertError(post(base, "/v1/chat/completions", chat("demo", "x", 2, false,
                "\"functions\":[{\"name\":\"f\"}]"), KEY), 400, "invalid_request_error",
                "unsupported_parameter", "functions");
        assertError(post(base, "/v1/chat/completions", chat("demo", "x", 2, false, "\"n\":2"), KEY), 400,
                "invalid_request_error", "unsupported_parameter", "n");
        assertError(post(base, "/v1/chat/completions", "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}}]}]}", KEY), 400, "invalid_request_error",
                "unsupported_parameter", "messages[0].content");
        assertError(post(base, "/v1/chat/completions", chat("demo", "x", 0, false), KEY), 400, "invalid_request_error",
                "invalid_value", "max_tokens");
        assertError(get(base, "/v1/no-such-route", KEY), 404, "invalid_request_error", "not_found", null);
        // A body past the limit is refused before it is read further; the chat route is POST only.
        assertError(post(base, "/v1/chat/completions", "{\"model\":\"" + "x".repeat(1_000_000) + "\"}", KEY), 413,
                "invalid_request_error", "http_413", null);
        assertError(get(base, "/v1/chat/completions", KEY), 404, "invalid_request_error", "not_found", null);
        // Neutral values of unsupported fields are accepted (clients send their defaults).
        HttpResponse<String> neutral = post(base, "/v1/chat/completions", chat("demo", "x", 2, false,
                "\"n\":1,\"top_p\":1,\"presence_penalty\":0,\"tools\":[],\"response_format\":{\"type\":\"text\"}"), KEY);
        assertEquals(200, neutral.statusCode(), neutral.body());
        completionTokens += json(neutral.body()).path("usage").path("completion_tokens").asInt();
    }

    private static void assertError(HttpResponse<String> r, int status, String type, String code, String param) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode e = json(r.body()).path("error");
        assertEquals(type, e.path("type").asText(), r.body());
        assertEquals(code, e.path("code").asText(), r.body());
        if (param == null) {
            assertTrue(e.path("param").isNull(), r.body());
        } else {
            assertEquals(param, e.path("param").asText(), r.body());
        }
        assertFalse(e.path("message").asText().isBlank());
    }

    @Test
    @Order(5)
    void modelsListTheCatalogWithEachModelsState() throws Exception {
        JsonNode list = json(get(base, "/v1/models", KEY).body());
        assertEquals("list", list.path("object").asText());
        List<String> ids = new java.util.ArrayList<>();
        list.path("data").forEach(m -> ids.add(m.path("id").asText()));
        assertEquals(List.of("llama", "phi-3", "gemma", "demo"), ids);
        assertEquals("ready", modelState(list, "demo"));
        assertEquals("unloaded", modelState(list, "llama"));
        JsonNode demo = json(get(base, "/v1/models/demo", KEY).body());
        assertEquals("model", demo.path("object").asText());
        assertEquals("llamacpp", demo.path("snowcrash").path("backend").asText());
        assertEquals(0, demo.path("snowcrash").path("in_flight").asInt());
        assertFalse(demo.path("snowcrash").path("last_used").isNull());
    }

    @Test
    @Order(6)
    void metricsCountRequestsTokensFirstTokensStartsAndLoadedModels() throws Exception {
        HttpResponse<String> r = get(base, "/metrics", KEY);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), r.headers().toString());
        Map<String, Double> m = PrometheusText.parse(r.body());
        // Sent so far: order 1 one stream; order 3 one blocking and two streams (8 tokens each);
        // order 4 two unknown-model requests, two overflows, seven malformed ones, one blocking (2 tokens).
        assertEquals(3.0, m.get("snowcrash_requests_total{code=\"200\",model=\"demo\",stream=\"true\"}"), r.body());
        assertEquals(2.0, m.get("snowcrash_requests_total{code=\"200\",model=\"demo\",stream=\"false\"}"), r.body());
        assertEquals(1.0, m.get("snowcrash_requests_total{code=\"404\",model=\"(unknown)\",stream=\"false\"}"), r.body());
        assertEquals(1.0, m.get("snowcrash_requests_total{code=\"404\",model=\"(unknown)\",stream=\"true\"}"), r.body());
        assertEquals(7.0, m.get("snowcrash_requests_total{code=\"400\",model=\"(invalid)\",stream=\"false\"}"), r.body());
        assertEquals(1.0, m.get("snowcrash_requests_total{code=\"400\",model=\"demo\",stream=\"false\"}"), r.body());
        assertEquals(1.0, m.get("snowcrash_requests_total{code=\"400\",model=\"demo\",stream=\"true\"}"), r.body());
        assertEquals(completionTokens, m.get("snowcrash_tokens_total{kind=\"completion\",model=\"demo\"}"), 0.0, r.body());
        assertEquals(5.0, m.get("snowcrash_time_to_first_token_seconds_count{model=\"demo\"}"), r.body());
        assertEquals(1.0, m.get("snowcrash_models_loaded"), r.body());
        assertEquals(1.0, m.get("snowcrash_model_starts_total{backend=\"llamacpp\",model=\"demo\",outcome=\"ready\"}"), r.body());
        assertEquals(0.0, m.get("snowcrash_requests_in_flight{model=\"demo\"}"), r.body());
    }

    @Test
    @Order(7)
    void theEventStreamNeedsTheEventStreamAcceptHeader() throws Exception {
        HttpResponse<String> r = get(base, "/v1/events", KEY);
        assertEquals(406, r.statusCode(), r.body());
        assertEquals("not_acceptable", json(r.body()).path("error").path("code").asText());
    }
}
