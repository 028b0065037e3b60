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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.snowcrash.backend.docker.RequiresDocker;

import com.fasterxml.jackson.databind.JsonNode;

import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;
import org.snowcrash.testkit.docker.LlamaServerContainer;

/**
 * The server with models in real containers (llama-server from the test image). The model runs
 * with one slot ({@code model.demo.parallel=1}) and a generation that never ends by itself ({@code --ignore-eos}
 * with context shift), so whether a slot is free is a fact the server proves by answering, never
 * a matter of timing.
 */
@RequiresDocker
class ServeDockerTest {

    private static final String ENDLESS = "--context-shift --ignore-eos";
    private final Path models = ServeTestSupport.tempModels();

    @AfterEach
    void nothingLeft() throws Exception {
        List<String> left = LlamaServerContainer.containers();
        LlamaServerContainer.removeOwn();
        assertEquals(List.of(), left, "containers left behind");
    }

    /** A stream that never ends by itself, open until {@link Endless#cancel()}, which closes the connection. */
    private static final class Endless {
        final CompletableFuture<Void> flowing = new CompletableFuture<>();
        final AtomicInteger chunks = new AtomicInteger();
        final EventSource source;

        Endless(URI base, int chunksBeforeFlowing) {
            Request request = new Request.Builder().url(base.resolve("/v1/chat/completions").toString())
                    .header("Authorization", "Bearer " + KEY)
                    .post(RequestBody.create(chat("demo", "go on forever", 1_000_000, true), MediaType.get("application/json")))
                    .build();
            source = EventSources.createFactory(ServeTestSupport.OK).newEventSource(request, new EventSourceListener() {
                @Override
                public void onEvent(EventSource s, String id, String type, String data) {
                    if (chunks.incrementAndGet() >= chunksBeforeFlowing) {
                        flowing.complete(null);
                    }
                }

                @Override
                public void onFailure(EventSource s, Throwable t, Response response) {
                    flowing.completeExceptionally(new AssertionError("the endless stream failed: " + t + " " + response));
                }
            });
        }

        void awaitFlowing() throws Exception {
            flowing.get(2, TimeUnit.MINUTES);
        }

        void cancel() {
            source.cancel();
        }
    }

    @Test
    void aClientThatGoesAwayStopsItsGenerationAndFreesTheServersOnlySlot() throws Exception {
        try (SnowcrashServer server = ServeTestSupport.start(DockerRun.settings(models, ENDLESS))) {
            Endless a = new Endless(server.uri(), 4);
            a.awaitFlowing();
            a.cancel(); // the client closes its connection mid-answer
            // The only slot is taken by a generation that never ends: this answer can only come if
            // the server noticed the client leave and stopped the generation on llama-server.
            HttpResponse<String> c = post(server.uri(), "/v1/chat/completions", chat("demo", "next", 4, false), KEY);
            assertEquals(200, c.statusCode(), c.body());
            assertEquals("docker", c.headers().firstValue("X-Snowcrash-Backend").orElseThrow());
            assertEquals(4, json(c.body()).path("usage").path("completion_tokens").asInt());
        }
    }

    @Test
    void aModelWithEveryTurnTakenAndAFullQueueAnswers429WithRetryAfter() throws Exception {
        Map<String, String> oneTurnNoQueue = DockerRun.settings(models, ENDLESS);
        oneTurnNoQueue.put("model.demo.max-in-flight", "1");
        oneTurnNoQueue.put("model.demo.queue", "0");
        try (SnowcrashServer server = ServeTestSupport.start(oneTurnNoQueue)) {
            Endless a = new Endless(server.uri(), 2);
            a.awaitFlowing();
            try {
                for (boolean stream : new boolean[] {false, true}) {
                    HttpResponse<String> busy = post(server.uri(), "/v1/chat/completions", chat("demo", "me too", 4, stream), KEY);
                    assertEquals(429, busy.statusCode(), busy.body());
                    int retryAfter = Integer.parseInt(busy.headers().firstValue("Retry-After").orElseThrow());
                    assertTrue(retryAfter >= 1 && retryAfter <= 60, "the pool's guess, 1 to 60 s: " + retryAfter);
                    JsonNode error = json(busy.body()).path("error");
                    assertEquals("model_busy", error.path("code").asText());
                    assertEquals("rate_limit_error", error.path("type").asText());
                    assertTrue(error.path("message").asText().contains("model 'demo' is busy (it runs at most 1 requests at once"
                            + " and queues at most 0)"), busy.body());
                }
                JsonNode demo = json(ServeTestSupport.get(server.uri(), "/v1/models/demo", KEY).body());
                assertEquals(1, demo.path("snowcrash").path("in_flight").asInt());
                assertEquals("docker", demo.path("snowcrash").path("backend").asText());
            } finally {
                a.cancel();
            }
        }
    }

    @Test
    void theStreamShowsTheFallbackFromABrokenContainerToInProcessAsItHappens() throws Exception {
        Map<String, String> s = DockerRun.settings(models, "--no-such-flag");
        s.put("backend.llamacpp.enabled", "true");
        try (SnowcrashServer server = ServeTestSupport.start(s)) {
            ServeTestSupport.Stream stream = ServeTestSupport.stream(server.uri(),
                    chat("demo", "hello", 4, true, "\"snowcrash\":{\"events\":true}"));
            assertEquals(200, stream.status(), String.valueOf(stream.failure()));
            List<String> lines = stream.named("snowcrash.lifecycle").stream()
                    .map(e -> e.json().path("type").asText() + " " + e.json().path("backend").asText()).toList();
            assertEquals(List.of("starting docker", "failed docker", "fallback docker", "starting llamacpp", "ready llamacpp",
                    "served_by llamacpp"), lines.stream().filter(l -> !l.startsWith("progress") && !l.endsWith(" remote")).toList(),
                    "the remote backend (unconfigured here) is skipped first; the rest is the fallback");
            assertTrue(stream.named("snowcrash.lifecycle").stream().anyMatch(e -> e.json().path("type").asText().equals("fallback")
                    && e.json().path("message").asText().contains("exited")), stream.events().toString());
            assertEquals("llamacpp", stream.named("snowcrash.served_by").get(0).json().path("backend").asText());
            assertEquals("length", stream.chunks().get(stream.chunks().size() - 1).path("choices").path(0)
                    .path("finish_reason").asText(), "answered in full after the fallback");
            String metrics = ServeTestSupport.get(server.uri(), "/metrics", KEY).body();
            Map<String, Double> m = PrometheusText.parse(metrics);
            assertEquals(1.0, m.get("snowcrash_fallbacks_total{backend=\"docker\",model=\"demo\"}"));
            assertEquals(1.0, m.get("snowcrash_model_starts_total{backend=\"docker\",model=\"demo\",outcome=\"failed\"}"));
            assertEquals(1.0, m.get("snowcrash_model_starts_total{backend=\"llamacpp\",model=\"demo\",outcome=\"ready\"}"));
        }
    }
}
