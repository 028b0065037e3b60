package org.snowcrash.bench.soak;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One streaming chat completion through {@code snowcrash serve}, read with the JDK's own HTTP
 * client the way any OpenAI client reads server-sent events, and judged: answered in full, a
 * typed error (status and OpenAI error {@code code}, before the stream or as its last event), or
 * untyped. Thread-safe; one shared client for every caller, as an application would have.
 */
final class ServeCaller {

    static final String QUESTION = "What do you see?";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final URI url;
    private final String key;
    private final Ledger ledger;
    private final Duration timeout;

    ServeCaller(URI base, String key, Ledger ledger, Duration timeout) {
        this.url = base.resolve("/v1/chat/completions");
        this.key = key;
        this.ledger = ledger;
        this.timeout = timeout;
    }

    /** Sends one request for {@code scene} and records its outcome; returns it too. */
    Outcome call(String source, Scenes.Scene scene) {
        AtomicReference<CompletableFuture<?>> pending = new AtomicReference<>();
        AtomicReference<InputStream> body = new AtomicReference<>();
        Thread caller = Thread.currentThread();
        boolean[] done = {false};
        Ledger.Ticket ticket = ledger.open(source, scene, () -> {
            // Past the deadline: hang up, as a client with a timeout would. The JDK's body stream
            // blocks in a queue that its close() may not wake; an interrupt does.
            synchronized (done) {
                if (!done[0]) {
                    caller.interrupt();
                }
            }
            CompletableFuture<?> f = pending.get();
            if (f != null) {
                f.cancel(true);
            }
            InputStream in = body.get();
            if (in != null) {
                try {
                    in.close();
                } catch (IOException e) {
                    // closing is all we wanted
                }
            }
        });
        Outcome outcome = exchange(scene, pending, body);
        synchronized (done) {
            done[0] = true;
        }
        Thread.interrupted(); // a hang-up's interrupt must not reach the next request
        ledger.close(ticket, outcome);
        return outcome;
    }

    private Outcome exchange(Scenes.Scene scene, AtomicReference<CompletableFuture<?>> pending,
                             AtomicReference<InputStream> body) {
        ObjectNode req = JSON.createObjectNode().put("model", "demo").put("max_tokens", 48).put("temperature", 0)
                .put("stream", true);
        req.putArray("messages").add(JSON.createObjectNode().put("role", "system").put("content", scene.prompt()))
                .add(JSON.createObjectNode().put("role", "user").put("content", QUESTION));
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(req.toString())).build();
        CompletableFuture<HttpResponse<InputStream>> f = http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
        pending.set(f);
        HttpResponse<InputStream> resp;
        try {
            resp = f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.Untyped("interrupted");
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            return new Outcome.Untyped("no answer: " + (e.getCause() != null ? e.getCause() : e));
        }
        body.set(resp.body());
        try (InputStream in = resp.body()) {
            if (resp.statusCode() != 200) {
                return typedError(resp.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            return readStream(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            return new Outcome.Untyped("stream broke: " + e);
        }
    }

    private static Outcome readStream(BufferedReader in) throws IOException {
        StringBuilder text = new StringBuilder();
        Set<String> ids = new HashSet<>();
        String finish = null;
        int roles = 0;
        for (String line; (line = in.readLine()) != null; ) {
            if (!line.startsWith("data: ")) {
                continue;
            }
            String data = line.substring(6);
            if (data.equals("[DONE]")) {
                if (finish == null || ids.size() != 1 || roles != 1) {
                    return new Outcome.Untyped("[DONE] after finish " + finish + ", ids " + ids + ", " + roles + " role chunks");
                }
                return drained(in, new Outcome.Answered(text.toString(), finish));
            }
            JsonNode chunk = JSON.readTree(data);
            if (chunk.has("error")) {
                return drained(in, typedError(-1, data)); // an error event after the 200 committed the stream
            }
            ids.add(chunk.path("id").asText());
            JsonNode choice = chunk.path("choices").path(0);
            if (choice.path("delta").has("role")) {
                roles++;
            }
            text.append(choice.path("delta").path("content").asText(""));
            if (choice.hasNonNull("finish_reason")) {
                finish = choice.get("finish_reason").asText();
            }
        }
        return new Outcome.Untyped("the stream ended without [DONE] or an error event after: " + text);
    }

    /**
     * Reads the response to its end after its last event, as OpenAI's own SDKs do (openai-python
     * drains the stream after {@code [DONE]}): the connection then goes back to the client's pool
     * whole instead of being closed under the server's last write, so connections are reused the
     * way an application's are, and the descriptors the run holds do not swing with how many were
     * closed early. Anything but blank lines after the last event is the server's defect.
     */
    private static Outcome drained(BufferedReader in, Outcome last) throws IOException {
        for (String line; (line = in.readLine()) != null; ) {
            if (!line.isEmpty()) {
                return new Outcome.Untyped("after its last event the stream went on with: " + line);
            }
        }
        return last;
    }

    /** OpenAI's error shape with a {@code code}, or untyped. */
    private static Outcome typedError(int status, String body) {
        try {
            JsonNode error = JSON.readTree(body).path("error");
            if (error.hasNonNull("code") && error.hasNonNull("type")) {
                return new Outcome.Typed((status < 0 ? "stream error" : "http " + status) + " " + error.get("code").asText());
            }
        } catch (IOException e) {
            // not JSON: untyped below
        }
        return new Outcome.Untyped("status " + status + " with " + body);
    }
}
