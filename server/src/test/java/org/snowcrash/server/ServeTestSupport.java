package org.snowcrash.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.snowcrash.api.Settings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

/** Shared set-up for the server tests: settings, a JDK HTTP client, and an SSE client (OkHttp). */
final class ServeTestSupport {

    static final String KEY = "test-key-0123456789abcdef";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    static final OkHttpClient OK = new OkHttpClient.Builder().readTimeout(Duration.ofMinutes(2))
            .retryOnConnectionFailure(false).build();

    private ServeTestSupport() {
    }

    /** Settings for the in-process backend only, the demo model written into {@code models}, a free port. */
    static Map<String, String> inProcess(Path models) {
        Map<String, String> m = new HashMap<>();
        m.put("snowcrash.models.dir", models.toString());
        m.put("backend.docker.enabled", "false");
        m.put("serve.port", "0");
        m.put("serve.api-key", KEY);
        return m;
    }

    static SnowcrashServer start(Map<String, String> settings) {
        return SnowcrashServer.builder().settings(Settings.of(settings, "test")).environment(Map.of()).start();
    }

    /**
     * A models folder holding a random-weight model as {@code demo}: it always writes up to the
     * token limit, so the tests can count tokens (the trained demo model stops when its answer ends).
     * Ask it greedily ({@code temperature 0}): the in-process backend counts completion tokens from
     * the text it gets, and a sampled answer of raw byte tokens that are not valid UTF-8 counts short
     * now and then, while a greedy one is the same every run.
     */
    static Path tempModels() {
        try {
            Path dir = Files.createTempDirectory("serve-models");
            org.snowcrash.testkit.TinyLlama.demo().write(dir.resolve("demo/snowcrash-demo.gguf"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A models folder holding the trained demo model (the one shipped in the models jar) as
     * {@code demo}: it writes Snowcrash's tool format, and stops when its answer ends.
     */
    static Path demoModels() {
        try {
            Path dir = Files.createTempDirectory("serve-demo");
            org.snowcrash.demo.DemoModel.install(dir.resolve("demo/snowcrash-demo.gguf"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether the shipped demo model was trained on tool calls (its GGUF description says so): only
     * then do tests assert what the model chooses on its own ({@code tool_choice auto}). Forced
     * calls and schema-held answers are asserted with any weights.
     */
    static boolean demoKnowsTools(Path models) {
        try {
            return org.snowcrash.models.gguf.GgufReader.read(models.resolve("demo/snowcrash-demo.gguf"))
                    .string("general.description").orElse("").contains("tools");
        } catch (org.snowcrash.models.gguf.GgufException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Says loudly that the choice-dependent assertions were left out, and why. */
    static void noteUntrainedDemo(String test) {
        System.err.println("!!! " + test + ": the shipped demo model is not trained on tools; what it chooses with "
                + "tool_choice auto is not asserted (forced calls and schemas are)");
    }

    static HttpResponse<String> get(URI base, String path, String key) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(2)).GET();
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(URI base, String path, String json, String key) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A chat request body. */
    static String chat(String model, String question, int maxTokens, boolean stream, String... extra) {
        StringBuilder b = new StringBuilder("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":"
                + JSON.valueToTree(question) + "}],\"max_tokens\":" + maxTokens + ",\"temperature\":0,\"stream\":" + stream);
        for (String e : extra) {
            b.append(',').append(e);
        }
        return b.append('}').toString();
    }

    /** One server-sent event; {@code name} is null for unnamed ones. */
    record Event(String name, String data) {
        JsonNode json() {
            return ServeTestSupport.json(data);
        }
    }

    /** What a whole stream held: its status, every event, and the error that ended it, if any. */
    record Stream(int status, List<Event> events, Throwable failure, String errorBody) {
        List<JsonNode> chunks() {
            return events.stream().filter(e -> e.name() == null && !e.data().equals("[DONE]")).map(Event::json).toList();
        }

        String content() {
            StringBuilder b = new StringBuilder();
            for (JsonNode c : chunks()) {
                JsonNode choice = c.path("choices").path(0);
                if (choice.path("delta").has("content")) {
                    b.append(choice.path("delta").path("content").asText());
                }
            }
            return b.toString();
        }

        List<Event> named(String name) {
            return events.stream().filter(e -> name.equals(e.name())).toList();
        }
    }

    /** Sends a streaming request and reads the whole stream (OkHttp's SSE reader). */
    static Stream stream(URI base, String body) throws Exception {
        return stream(base, body, KEY);
    }

    static Stream stream(URI base, String body, String key) throws Exception {
        Request request = new Request.Builder().url(base.resolve("/v1/chat/completions").toString())
                .header("Authorization", "Bearer " + key)
                .post(RequestBody.create(body, MediaType.get("application/json"))).build();
        List<Event> events = new ArrayList<>();
        CompletableFuture<Stream> done = new CompletableFuture<>();
        EventSources.createFactory(OK).newEventSource(request, new EventSourceListener() {
            @Override
            public void onEvent(EventSource source, String id, String type, String data) {
                synchronized (events) {
                    events.add(new Event(type, data));
                }
            }

            @Override
            public void onClosed(EventSource source) {
                synchronized (events) {
                    done.complete(new Stream(200, List.copyOf(events), null, null));
                }
            }

            @Override
            public void onFailure(EventSource source, Throwable t, Response response) {
                String body = null;
                try {
                    body = response != null && response.body() != null ? response.body().string() : null;
                } catch (IOException e) {
                    // no body
                }
                synchronized (events) {
                    done.complete(new Stream(response != null ? response.code() : -1, List.copyOf(events), t, body));
                }
            }
        });
        return done.get(3, TimeUnit.MINUTES);
    }
}
