package org.snowcrash.backend.docker;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.Usage;

/**
 * Speaks llama-server's OpenAI-compatible HTTP API with OkHttp: blocking and streaming chat
 * (SSE framing by okhttp-sse), token counting ({@code /apply-template} + {@code /tokenize}) and
 * {@code /health}. Every error names the backend, model and address.
 *
 * <p>Why the settings: POSTs are never retried ({@code retryOnConnectionFailure(false)}: a
 * generation must not run twice); the read timeout is the allowed silence on a stream, longer
 * than the server's 30 s keep-alive ping; tokens are handed to the caller's sink on the caller's
 * thread through a queue, never on OkHttp's thread.
 */
final class ServerClient {

    private static final MediaType JSON = MediaType.get("application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Object DONE = new Object();

    private final OkHttpClient http;
    private final String baseUrl;
    private final String apiKey;
    private final String where;
    private final Duration idleTimeout;
    private final Duration requestTimeout;
    /** For blocking requests: the server says nothing until the whole answer is ready, so silence is not a fault. */
    private final OkHttpClient blocking;

    ServerClient(OkHttpClient shared, String baseUrl, String apiKey, String where, Duration idleTimeout,
                 Duration requestTimeout) {
        this.http = shared.newBuilder()
                .retryOnConnectionFailure(false)
                // No idle connections are kept: llama-server (behind docker-proxy) may close a
                // connection after a streamed answer without saying so, and a POST sent on such a
                // stale pooled connection fails; retrying it silently is what we must not do. A
                // fresh loopback connection per request costs well under a millisecond.
                .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
                .connectTimeout(Duration.ofSeconds(5))
                .readTimeout(idleTimeout)
                .writeTimeout(Duration.ofSeconds(30))
                .build();
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
        this.where = where;
        this.idleTimeout = idleTimeout;
        this.requestTimeout = requestTimeout;
        this.blocking = http.newBuilder().readTimeout(requestTimeout).callTimeout(requestTimeout).build();
    }

    String baseUrl() {
        return baseUrl;
    }

    /** {@code GET /health}: 200 → ready, 503 → loading; -1 when nothing answers. */
    int health(Duration timeout) {
        OkHttpClient quick = http.newBuilder().callTimeout(timeout).build();
        try (Response r = quick.newCall(new Request.Builder().url(baseUrl + "/health").get().build()).execute()) {
            return r.code();
        } catch (IOException e) {
            return -1;
        }
    }

    ChatResponse chat(ChatRequest request) {
        long t0 = System.nanoTime();
        JsonNode body = post(blocking, requestTimeout, "/v1/chat/completions", body(request, false));
        JsonNode choice = body.path("choices").path(0);
        String text = choice.path("message").path("content").asText("");
        return new ChatResponse(text, finish(choice.path("finish_reason").asText("stop")),
                usage(body), Duration.ofNanos(System.nanoTime() - t0));
    }

    ChatResponse stream(ChatRequest request, TokenSink sink, Cancellation cancellation) {
        long t0 = System.nanoTime();
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        Request req = authorized(new Request.Builder().url(baseUrl + "/v1/chat/completions")
                .header("Accept", "text/event-stream")
                .post(RequestBody.create(body(request, true).toString(), JSON))).build();
        EventSource source = EventSources.createFactory(http).newEventSource(req, new EventSourceListener() {
            @Override
            public void onEvent(EventSource es, String id, String type, String data) {
                queue.add(data);
            }

            @Override
            public void onClosed(EventSource es) {
                queue.add(DONE);
            }

            @Override
            public void onFailure(EventSource es, Throwable t, Response response) {
                queue.add(new Failure(t, response == null ? -1 : response.code(), bodyOf(response)));
            }
        });
        cancellation.onCancel(source::cancel);

        StringBuilder text = new StringBuilder();
        String finishReason = null;
        Usage usage = null;
        boolean sawDone = false;
        try {
            while (true) {
                Object item;
                try {
                    // The read timeout also bounds this wait; the queue poll is a backstop.
                    item = queue.poll(idleTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    source.cancel();
                    Thread.currentThread().interrupt();
                    return finished(text, FinishReason.CANCELLED, usage, t0);
                }
                if (item == null) {
                    source.cancel();
                    throw error(new ChatFailure.Timeout(idleTimeout), null);
                }
                if (item == DONE) {
                    if (!sawDone && finishReason == null && !cancellation.isCancelled()) {
                        // The connection closed before the server said it was done: it died or was cut.
                        throw error(new ChatFailure.BackendGone("the stream ended before the answer was complete"), null);
                    }
                    break;
                }
                if (item instanceof Failure) {
                    if (cancellation.isCancelled()) {
                        return finished(text, FinishReason.CANCELLED, usage, t0);
                    }
                    throw ((Failure) item).toException(this);
                }
                String data = (String) item;
                if (data.equals("[DONE]")) {
                    sawDone = true;
                    // Read on until the body ends, so the stream is closed by the server, not cut by us.
                    continue;
                }
                JsonNode chunk = parse(data);
                if (chunk.has("error")) {
                    source.cancel();
                    throw error(serverError(200, chunk.get("error")), null);
                }
                JsonNode choice = chunk.path("choices").path(0);
                String piece = choice.path("delta").path("content").asText("");
                if (!piece.isEmpty()) {
                    text.append(piece);
                    try {
                        sink.accept(piece);
                    } catch (RuntimeException e) {
                        source.cancel();
                        throw error(new ChatFailure.SinkFailed(e.toString()), e);
                    }
                }
                if (choice.hasNonNull("finish_reason")) {
                    finishReason = choice.get("finish_reason").asText();
                }
                if (chunk.has("usage") || chunk.has("timings")) {
                    usage = usage(chunk);
                }
            }
        } finally {
            if (cancellation.isCancelled()) {
                source.cancel();
            }
        }
        if (cancellation.isCancelled()) {
            return finished(text, FinishReason.CANCELLED, usage, t0);
        }
        return finished(text, finish(finishReason == null ? "stop" : finishReason), usage, t0);
    }

    private static ChatResponse finished(StringBuilder text, FinishReason reason, Usage usage, long t0) {
        return new ChatResponse(text.toString(), reason, usage == null ? new Usage(0, 0) : usage,
                Duration.ofNanos(System.nanoTime() - t0));
    }

    int countPromptTokens(List<ChatMessage> messages) {
        ObjectNode req = MAPPER.createObjectNode();
        req.set("messages", messages(messages));
        String prompt = post(http, idleTimeout, "/apply-template", req).path("prompt").asText("");
        ObjectNode tok = MAPPER.createObjectNode().put("content", prompt).put("add_special", true);
        return post(http, idleTimeout, "/tokenize", tok).path("tokens").size();
    }

    private JsonNode post(OkHttpClient client, Duration timeout, String path, JsonNode json) {
        Request req = authorized(new Request.Builder().url(baseUrl + path)
                .post(RequestBody.create(json.toString(), JSON))).build();
        try (Response r = client.newCall(req).execute()) {
            String body = r.body() == null ? "" : r.body().string();
            if (!r.isSuccessful()) {
                throw error(serverError(r.code(), parse(body).path("error")), null);
            }
            return parse(body);
        } catch (IOException e) {
            throw transportError(e, timeout);
        }
    }

    private Request.Builder authorized(Request.Builder b) {
        return apiKey == null ? b : b.header("Authorization", "Bearer " + apiKey);
    }

    private ObjectNode body(ChatRequest request, boolean stream) {
        ObjectNode b = MAPPER.createObjectNode();
        b.set("messages", messages(request.messages()));
        b.put("max_tokens", request.maxTokens());
        b.put("stream", stream);
        if (stream) {
            b.putObject("stream_options").put("include_usage", true);
        }
        request.temperature().ifPresent(t -> b.put("temperature", t));
        request.seed().ifPresent(s -> b.put("seed", s));
        if (!request.stop().isEmpty()) {
            ArrayNode stop = b.putArray("stop");
            request.stop().forEach(stop::add);
        }
        return b;
    }

    private static ArrayNode messages(List<ChatMessage> messages) {
        ArrayNode a = MAPPER.createArrayNode();
        for (ChatMessage m : messages) {
            a.addObject().put("role", m.role().wireName()).put("content", m.content());
        }
        return a;
    }

    /**
     * Usage from {@code usage} (OpenAI's {@code prompt_tokens_details.cached_tokens} for the prompt
     * tokens taken from the slot's cache), else from llama-server's own {@code timings}:
     * {@code cache_n} tokens reused plus {@code prompt_n} processed.
     */
    static Usage usage(JsonNode body) {
        JsonNode u = body.path("usage");
        JsonNode t = body.path("timings");
        if (u.has("prompt_tokens")) {
            int prompt = Math.max(0, u.path("prompt_tokens").asInt());
            int cached = u.path("prompt_tokens_details").path("cached_tokens").asInt(t.path("cache_n").asInt(0));
            return new Usage(prompt, Math.max(0, u.path("completion_tokens").asInt()), clamp(cached, prompt));
        }
        if (t.has("predicted_n")) {
            int cached = Math.max(0, t.path("cache_n").asInt(0));
            int prompt = cached + Math.max(0, t.path("prompt_n").asInt(0));
            return new Usage(prompt, Math.max(0, t.path("predicted_n").asInt()), cached);
        }
        return new Usage(0, 0);
    }

    private static int clamp(int cached, int prompt) {
        return Math.max(0, Math.min(cached, prompt));
    }

    /**
     * The server's slots ({@code GET /props}): how many requests it serves at once and the context
     * each one has. Without {@code --kv-unified} each slot owns {@code -c / -np} tokens; with it every
     * slot reports the whole {@code -c}, shared by all.
     *
     * @throws ChatException when the server cannot be asked or does not say
     */
    Slots slots() {
        Request req = authorized(new Request.Builder().url(baseUrl + "/props").get()).build();
        try (Response r = http.newCall(req).execute()) {
            String body = r.body() == null ? "" : r.body().string();
            if (!r.isSuccessful()) {
                throw error(serverError(r.code(), parse(body).path("error")), null);
            }
            JsonNode props = parse(body);
            int count = props.path("total_slots").asInt(0);
            int perSlot = props.path("default_generation_settings").path("n_ctx").asInt(0);
            if (count < 1 || perSlot < 1) {
                throw error(new ChatFailure.Other("/props does not say the slots' count and context: "
                        + (body.length() > 200 ? body.substring(0, 200) + "..." : body)), null);
            }
            return new Slots(count, perSlot);
        } catch (IOException e) {
            throw transportError(e, idleTimeout);
        }
    }

    /**
     * @param count          how many requests the server serves at once
     * @param contextPerSlot the context one request can use, in tokens
     */
    record Slots(int count, int contextPerSlot) {
    }

    private static FinishReason finish(String reason) {
        return "length".equals(reason) ? FinishReason.LENGTH : FinishReason.STOP;
    }

    private JsonNode parse(String s) {
        try {
            return s == null || s.isBlank() ? MAPPER.createObjectNode() : MAPPER.readTree(s);
        } catch (IOException e) {
            throw error(new ChatFailure.Other("the server sent something that is not JSON: "
                    + (s.length() > 200 ? s.substring(0, 200) + "..." : s)), e);
        }
    }

    private static ChatFailure serverError(int status, JsonNode error) {
        String type = error.path("type").asText("");
        String message = error.path("message").asText(error.isTextual() ? error.asText() : "");
        if (type.equals("exceed_context_size_error") || error.has("n_ctx")) {
            return new ChatFailure.ContextOverflow(error.path("n_prompt_tokens").asInt(), error.path("n_ctx").asInt());
        }
        int code = error.path("code").asInt(status);
        return new ChatFailure.ServerError(code, type, message.isEmpty() ? "(no message)" : message);
    }

    ChatException error(ChatFailure f, Throwable cause) {
        return new ChatException(DockerBackend.ID, where, f, cause);
    }

    private ChatException transportError(IOException e, Duration timeout) {
        if (e instanceof SocketTimeoutException || (e instanceof InterruptedIOException && String.valueOf(e.getMessage()).contains("timeout"))) {
            return error(new ChatFailure.Timeout(timeout), e);
        }
        if (e instanceof ConnectException) {
            return error(new ChatFailure.BackendGone("connection refused: " + e.getMessage()), e);
        }
        return error(new ChatFailure.BackendGone(e.toString()), e);
    }

    private static String bodyOf(Response r) {
        if (r == null) {
            return "";
        }
        try (ResponseBody b = r.body()) {
            return b == null ? "" : b.string();
        } catch (IOException | IllegalStateException e) {
            return "";
        }
    }

    /** A stream failure seen on OkHttp's thread, carried to the caller's thread. */
    private record Failure(Throwable error, int status, String body) {
        ChatException toException(ServerClient c) {
            if (status > 0 && status != 200) {
                return c.error(serverError(status, c.parse(body).path("error")), error);
            }
            if (error instanceof IOException) {
                return c.transportError((IOException) error, c.idleTimeout);
            }
            return c.error(new ChatFailure.BackendGone(error == null ? "the stream ended without [DONE]" : error.toString()), error);
        }
    }
}
