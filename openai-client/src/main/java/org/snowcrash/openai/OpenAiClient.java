package org.snowcrash.openai;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolCallDelta;
import org.snowcrash.api.ToolSpec;
import org.snowcrash.api.Usage;

/**
 * Speaks the OpenAI-compatible chat API of a model server (llama-server, vLLM, Ollama, or any of
 * them behind a gateway) with OkHttp: blocking and streaming chat (server-sent events read on the caller's thread),
 * plus llama-server's own token counting ({@code /apply-template} + {@code /tokenize}) and
 * {@code /health}. Shared by the backends that talk to a server: the Docker backend (a server it
 * runs) and the remote backend (servers others run). Every error is a {@link ChatException} with
 * a typed {@link ChatFailure} that names the backend, model and address.
 *
 * <p>Addresses: {@code apiBase} is the base URL the OpenAI SDKs call {@code base_url}, ending in
 * {@code /v1} ({@code http://gpu1:8080/v1}); chat goes to {@code <apiBase>/chat/completions}. The
 * server's own endpoints ({@code /health}, {@code /tokenize}) live at its root, which is
 * {@code apiBase} without the trailing {@code /v1}.
 *
 * <p>Why the settings: POSTs are never retried ({@code retryOnConnectionFailure(false)}: a
 * generation must not run twice); the read timeout is the allowed silence on a stream, longer
 * than the server's 30 s keep-alive ping; a stream is read, and its tokens handed to the
 * caller's sink, on the caller's thread (no thread of OkHttp's in between). A caller that decides about retries itself
 * passes an {@link Exchange}, which records whether the request could have reached the server.
 *
 * <p>Thread-safe: one instance serves concurrent requests. Every method blocks the calling thread
 * until its answer is complete or has failed, within the timeouts given to the builder.
 */
public final class OpenAiClient {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiClient.class);
    private static final MediaType JSON = MediaType.get("application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final OkHttpClient http;
    private final String backendId;
    private final String apiBase;
    private final String root;
    private final String apiKey;
    private final String model;
    private final String where;
    private final Duration idleTimeout;
    private final Duration requestTimeout;
    /** Whether a request the server closed without answering may be sent once more; null: never. */
    private final Predicate<OpenAiClient> retryUnanswered;
    /** For blocking requests: the server says nothing until the whole answer is ready, so silence is not a fault. */
    private final OkHttpClient blocking;

    private OpenAiClient(Builder b) {
        this.http = b.shared.newBuilder()
                .retryOnConnectionFailure(false)
                // No idle connections are kept: llama-server (behind docker-proxy, or a gateway) may
                // close a connection after a streamed answer without saying so, and a POST sent on
                // such a stale pooled connection fails; retrying it silently is what we must not do.
                // A fresh connection per request costs well under a millisecond on loopback and a
                // round trip (plus a TLS handshake) on a network.
                .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
                // Runs once a connection is made, just before the request is written: from then on
                // the server may have the request, and sending it elsewhere could run it twice.
                .addNetworkInterceptor(chain -> {
                    Exchange exchange = chain.request().tag(Exchange.class);
                    if (exchange != null) {
                        exchange.markReachedServer();
                    }
                    return chain.proceed(chain.request());
                })
                .connectTimeout(b.connectTimeout)
                .readTimeout(b.idleTimeout)
                .writeTimeout(Duration.ofSeconds(30))
                .build();
        this.backendId = b.backendId;
        this.apiBase = b.apiBase;
        this.root = b.apiBase.endsWith("/v1") ? b.apiBase.substring(0, b.apiBase.length() - 3) : b.apiBase;
        this.apiKey = b.apiKey;
        this.model = b.model;
        this.where = b.where;
        this.idleTimeout = b.idleTimeout;
        this.requestTimeout = b.requestTimeout;
        this.retryUnanswered = b.retryUnanswered;
        this.blocking = http.newBuilder().readTimeout(requestTimeout).callTimeout(requestTimeout).build();
    }

    /**
     * A builder for a client of the server at {@code apiBase}.
     *
     * @param shared    the caller's OkHttp client; this one derives its own with {@code newBuilder()},
     *                  sharing the dispatcher (its threads) and, where TLS is set up, the socket factory
     * @param backendId the backend that owns the client, named in every error
     * @param apiBase   the OpenAI base URL, normally ending in {@code /v1}, without a trailing slash
     */
    public static Builder builder(OkHttpClient shared, String backendId, String apiBase) {
        return new Builder(shared, backendId, apiBase);
    }

    /** The OpenAI base URL this client talks to (ending in {@code /v1} for llama-server). */
    public String apiBase() {
        return apiBase;
    }

    /** The address part of error messages ({@code "model demo, container x, http://127.0.0.1:8090"}). */
    public String where() {
        return where;
    }

    /**
     * llama-server's {@code GET /health} at the server's root: 200 → ready, 503 → loading; -1 when
     * nothing answers within {@code timeout}. Never throws.
     */
    public int health(Duration timeout) {
        OkHttpClient quick = http.newBuilder().callTimeout(timeout).build();
        try (Response r = quick.newCall(new Request.Builder().url(root + "/health").get().build()).execute()) {
            return r.code();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Answers a request with one blocking {@code POST <apiBase>/chat/completions}, bounded by the
     * request timeout (the server is silent until its answer is complete).
     *
     * @throws ChatException typed: {@link ChatFailure.Timeout}, {@link ChatFailure.BackendGone},
     *                       {@link ChatFailure.ServerError}, {@link ChatFailure.ContextOverflow}
     */
    public ChatResponse chat(ChatRequest request) {
        return chat(request, new Exchange());
    }

    /** As {@link #chat(ChatRequest)}, recording what happened on the wire in {@code exchange}. */
    public ChatResponse chat(ChatRequest request, Exchange exchange) {
        try {
            return chatOnce(request, exchange);
        } catch (ChatException e) {
            if (mayRetry(e, exchange, new Cancellation())) {
                return again(exchange, x -> chatOnce(request, x));
            }
            throw e;
        }
    }

    private ChatResponse chatOnce(ChatRequest request, Exchange exchange) {
        long t0 = System.nanoTime();
        JsonNode body = post(blocking, requestTimeout, apiBase + "/chat/completions", ChatJson.request(request, model, false), exchange);
        JsonNode choice = body.path("choices").path(0);
        JsonNode message = choice.path("message");
        String text = message.path("content").asText("");
        List<ToolCall> calls;
        try {
            calls = ChatJson.toolCalls(message.get("tool_calls"));
        } catch (IllegalArgumentException e) {
            throw error(new ChatFailure.Other("the server sent a malformed tool call: " + e.getMessage()), e);
        }
        return new ChatResponse(text, ChatJson.finishReason(choice.path("finish_reason").asText("stop"), !calls.isEmpty()),
                usage(body), Duration.ofNanos(System.nanoTime() - t0), calls, message.path("reasoning_content").asText(""));
    }

    /**
     * Answers a request with a streamed {@code POST <apiBase>/chat/completions}, handing each piece
     * of text to {@code sink} on the calling thread as it arrives. Silence longer than the idle
     * timeout ends it with {@link ChatFailure.Timeout}; a stream that ends before the server said it
     * was done is {@link ChatFailure.BackendGone}; an error object sent inside a 200 stream is typed
     * like an error status. {@link Cancellation#cancel()} from any thread closes the stream (which
     * frees the server's slot) and the response ends with {@link FinishReason#CANCELLED}.
     *
     * @throws ChatException typed as for {@link #chat(ChatRequest)}, or {@link ChatFailure.SinkFailed}
     */
    public ChatResponse stream(ChatRequest request, TokenSink sink, Cancellation cancellation) {
        return stream(request, sink, cancellation, new Exchange());
    }

    /** As {@link #stream(ChatRequest, TokenSink, Cancellation)}, recording what happened on the wire in {@code exchange}. */
    public ChatResponse stream(ChatRequest request, TokenSink sink, Cancellation cancellation, Exchange exchange) {
        try {
            return streamOnce(request, sink, cancellation, exchange);
        } catch (ChatException e) {
            if (mayRetry(e, exchange, cancellation)) {
                return again(exchange, x -> streamOnce(request, sink, cancellation, x));
            }
            throw e;
        }
    }

    /**
     * The second try, on an exchange of its own (so a failure to connect is told as one), whose
     * status then becomes the caller's; the caller's exchange keeps saying the server was reached.
     */
    private ChatResponse again(Exchange exchange, Function<Exchange, ChatResponse> call) {
        Exchange second = new Exchange();
        try {
            return call.apply(second);
        } finally {
            exchange.status(second.status());
        }
    }

    /**
     * Whether a failed request is sent once more ({@link Builder#retryUnansweredOnce}): the
     * connection was made and then closed with no response at all (no status line, so no text
     * reached the caller), and the builder's check says the server is still there. Logged.
     */
    private boolean mayRetry(ChatException e, Exchange exchange, Cancellation cancellation) {
        if (retryUnanswered == null || cancellation.isCancelled() || !(e.failure() instanceof ChatFailure.BackendGone)
                || !exchange.reachedServer() || exchange.status() >= 0 || !retryUnanswered.test(this)
                || cancellation.isCancelled()) { // again: the check may take a second
            return false;
        }
        LOG.warn("{} ({}): the connection closed before the server answered ({}); the server is up, so the request is sent"
                + " once more", backendId, where, e.failure().describe());
        return true;
    }

    private ChatResponse streamOnce(ChatRequest request, TokenSink sink, Cancellation cancellation, Exchange exchange) {
        long t0 = System.nanoTime();
        Request req = authorized(new Request.Builder().url(apiBase + "/chat/completions")
                .tag(Exchange.class, exchange)
                .header("Accept", "text/event-stream")
                .post(RequestBody.create(ChatJson.request(request, model, true).toString(), JSON))).build();
        // Read on the caller's thread: a token reaches the sink with no hand-over between threads
        // (a wake-up per token, on cores the model server wants too). Cancelling closes the socket,
        // which ends a blocked read at once.
        Call call = http.newCall(req);
        cancellation.onCancel(call::cancel);
        Response response;
        try {
            response = call.execute();
        } catch (IOException e) {
            if (cancellation.isCancelled()) {
                return finished(new StringBuilder(), new StringBuilder(), new ToolCallAssembler(), FinishReason.CANCELLED, null, t0);
            }
            throw transportError(e, idleTimeout, exchange);
        }
        try (response) {
            exchange.status(response.code());
            if (!response.isSuccessful()) {
                throw error(serverError(response.code(), errorObject(bodyOf(response))), null);
            }
            MediaType type = response.body().contentType();
            if (type == null || !type.type().equals("text") || !type.subtype().equals("event-stream")) {
                throw error(new ChatFailure.BackendGone("java.lang.IllegalStateException: Invalid content-type: " + type), null);
            }
            return events(new SseLines(response.body().source()), sink, cancellation, exchange, t0);
        }
    }

    /** The events of one answer, read as they come, handed to {@code sink}. */
    private ChatResponse events(SseLines source, TokenSink sink, Cancellation cancellation, Exchange exchange, long t0) {
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        ToolCallAssembler calls = new ToolCallAssembler();
        String finishReason = null;
        Usage usage = null;
        boolean sawDone = false;
        while (true) {
            String data;
            try {
                // The read timeout (the idle timeout) bounds each wait for the next event.
                data = source.next();
            } catch (IOException e) {
                if (cancellation.isCancelled()) {
                    return finished(text, reasoning, calls, FinishReason.CANCELLED, usage, t0);
                }
                throw transportError(e, idleTimeout, exchange);
            }
            if (data == null) {
                if (!sawDone && finishReason == null && !cancellation.isCancelled()) {
                    // The connection closed before the server said it was done: it died or was cut.
                    throw error(new ChatFailure.BackendGone("the stream ended before the answer was complete"), null);
                }
                break;
            }
            if (data.equals("[DONE]")) {
                sawDone = true;
                // Read on until the body ends, so the stream is closed by the server, not cut by us.
                continue;
            }
            JsonNode chunk = parse(data);
            if (chunk.has("error")) {
                throw error(serverError(200, chunk.get("error")), null);
            }
            JsonNode choice = chunk.path("choices").path(0);
            JsonNode delta = choice.path("delta");
            List<ToolCallDelta> callPieces;
            try {
                callPieces = calls.add(delta.get("tool_calls"));
            } catch (IllegalArgumentException e) {
                throw error(new ChatFailure.Other("the server sent a malformed tool call: " + e.getMessage()), e);
            }
            String thought = delta.path("reasoning_content").asText("");
            String piece = delta.path("content").asText("");
            reasoning.append(thought);
            text.append(piece);
            try {
                // Reasoning comes before the answer it leads to, and the answer's text before its calls.
                if (!thought.isEmpty()) {
                    sink.reasoning(thought);
                }
                if (!piece.isEmpty()) {
                    sink.accept(piece);
                }
                callPieces.forEach(sink::toolCall);
            } catch (RuntimeException e) {
                throw error(new ChatFailure.SinkFailed(e.toString()), e);
            }
            if (choice.hasNonNull("finish_reason")) {
                finishReason = choice.get("finish_reason").asText();
            }
            if (chunk.has("usage") || chunk.has("timings")) {
                usage = usage(chunk);
            }
        }
        if (cancellation.isCancelled()) {
            return finished(text, reasoning, calls, FinishReason.CANCELLED, usage, t0);
        }
        return finished(text, reasoning, calls,
                ChatJson.finishReason(finishReason == null ? "stop" : finishReason, calls.hasCalls()), usage, t0);
    }

    private static ChatResponse finished(StringBuilder text, StringBuilder reasoning, ToolCallAssembler calls,
                                         FinishReason reason, Usage usage, long t0) {
        return new ChatResponse(text.toString(), reason, usage == null ? new Usage(0, 0) : usage,
                Duration.ofNanos(System.nanoTime() - t0), calls.calls(), reasoning.toString());
    }

    /**
     * The tokens these messages take as a prompt, counted by llama-server itself: its chat template
     * applied ({@code POST /apply-template}), then its tokenizer ({@code POST /tokenize}), both at
     * the server's root. Two round trips. A server without these endpoints (vLLM, Ollama) answers
     * with an error status: {@link ChatFailure.ServerError} (404 or 405).
     *
     * @throws ChatException when the server cannot be reached or refuses
     */
    public int countPromptTokens(List<ChatMessage> messages) {
        return countPromptTokens(messages, List.of());
    }

    /**
     * As {@link #countPromptTokens(List)}, with {@code tools} offered: the server's template renders
     * them as it would for a chat request (llama-server started with {@code --jinja}; without it,
     * or with a template that knows no tools, they take no room and are not counted).
     *
     * @throws ChatException when the server cannot be reached or refuses
     */
    public int countPromptTokens(List<ChatMessage> messages, List<ToolSpec> tools) {
        ObjectNode req = MAPPER.createObjectNode();
        req.set("messages", ChatJson.messages(messages));
        if (!tools.isEmpty()) {
            req.set("tools", ChatJson.tools(tools));
        }
        String prompt = post(http, idleTimeout, root + "/apply-template", req, new Exchange()).path("prompt").asText("");
        ObjectNode tok = MAPPER.createObjectNode().put("content", prompt).put("add_special", true);
        return post(http, idleTimeout, root + "/tokenize", tok, new Exchange()).path("tokens").size();
    }

    private JsonNode post(OkHttpClient client, Duration timeout, String url, JsonNode json, Exchange exchange) {
        Request req = authorized(new Request.Builder().url(url).tag(Exchange.class, exchange)
                .post(RequestBody.create(json.toString(), JSON))).build();
        try (Response r = client.newCall(req).execute()) {
            exchange.status(r.code());
            String body = r.body() == null ? "" : r.body().string();
            if (!r.isSuccessful()) {
                throw error(serverError(r.code(), errorObject(body)), null);
            }
            return parse(body);
        } catch (IOException e) {
            throw transportError(e, timeout, exchange);
        }
    }

    private Request.Builder authorized(Request.Builder b) {
        return apiKey == null ? b : b.header("Authorization", "Bearer " + apiKey);
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
     * llama-server's slots ({@code GET /props} at the server's root): how many requests it serves
     * at once and the context each one has. Without {@code --kv-unified} each slot owns
     * {@code -c / -np} tokens; with it every slot reports the whole {@code -c}, shared by all.
     *
     * @throws ChatException when the server cannot be asked or does not say
     */
    public Slots slots() {
        Request req = authorized(new Request.Builder().url(root + "/props").get()).build();
        try (Response r = http.newCall(req).execute()) {
            String body = r.body() == null ? "" : r.body().string();
            if (!r.isSuccessful()) {
                throw error(serverError(r.code(), errorObject(body)), null);
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
            throw error(new ChatFailure.BackendGone("cannot ask " + root + "/props: " + describe(e)), e);
        }
    }

    /**
     * @param count          how many requests the server serves at once
     * @param contextPerSlot the context one request can use, in tokens
     */
    public record Slots(int count, int contextPerSlot) {
    }

    private JsonNode parse(String s) {
        try {
            return s == null || s.isBlank() ? MAPPER.createObjectNode() : MAPPER.readTree(s);
        } catch (IOException e) {
            throw error(new ChatFailure.Other("the server sent something that is not JSON: "
                    + (s.length() > 200 ? s.substring(0, 200) + "..." : s)), e);
        }
    }

    /**
     * The {@code error} object of an error answer; a body that is not JSON (a gateway's HTML 502
     * page) becomes the message itself, so the status still comes through typed.
     */
    private static JsonNode errorObject(String body) {
        try {
            JsonNode root = body == null || body.isBlank() ? null : MAPPER.readTree(body);
            if (root != null && root.has("error")) {
                return root.get("error");
            }
        } catch (IOException e) {
            // not JSON: fall through
        }
        String text = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        return MAPPER.getNodeFactory().textNode(text.length() > 200 ? text.substring(0, 200) + "..." : text);
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

    /** A typed error naming this client's backend, model and address. */
    public ChatException error(ChatFailure f, Throwable cause) {
        return new ChatException(backendId, where, f, cause);
    }

    private ChatException transportError(IOException e, Duration timeout, Exchange exchange) {
        if (!exchange.reachedServer()) {
            // Connecting failed (refused, unreachable, connect timeout, TLS handshake): the silence
            // bounds do not apply, and saying "no output for 120000 ms" would mislead.
            return error(new ChatFailure.BackendGone("cannot connect to " + apiBase + ": " + describe(e)), e);
        }
        if (e instanceof SocketTimeoutException || (e instanceof InterruptedIOException && String.valueOf(e.getMessage()).contains("timeout"))) {
            return error(new ChatFailure.Timeout(timeout), e);
        }
        return error(new ChatFailure.BackendGone(e.toString()), e);
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        if (e instanceof javax.net.ssl.SSLException) {
            return "TLS handshake failed: " + (m == null ? e.getClass().getSimpleName() : m);
        }
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + m;
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

    /**
     * Builds an {@link OpenAiClient}. Not thread-safe; {@link #build()} may be called more than once.
     * Defaults: no API key, no {@code model} field sent (llama-server serves its one model whatever
     * the name), connect timeout 5 s, idle timeout 120 s, request timeout 10 min.
     */
    public static final class Builder {
        private final OkHttpClient shared;
        private final String backendId;
        private final String apiBase;
        private String apiKey;
        private String model;
        private String where;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration idleTimeout = Duration.ofSeconds(120);
        private Duration requestTimeout = Duration.ofMinutes(10);
        private Predicate<OpenAiClient> retryUnanswered;

        private Builder(OkHttpClient shared, String backendId, String apiBase) {
            this.shared = java.util.Objects.requireNonNull(shared, "shared");
            this.backendId = java.util.Objects.requireNonNull(backendId, "backendId");
            this.apiBase = java.util.Objects.requireNonNull(apiBase, "apiBase").replaceAll("/+$", "");
            this.where = this.apiBase;
        }

        /** Sent as {@code Authorization: Bearer <key>}; {@code null} sends none. */
        public Builder apiKey(String key) { this.apiKey = key; return this; }

        /** The {@code model} field of every chat request; {@code null} leaves it out. */
        public Builder model(String name) { this.model = name; return this; }

        /** Where, for error messages ({@code "model demo, http://gpu1:8080/v1"}); default the base URL. */
        public Builder where(String text) { this.where = java.util.Objects.requireNonNull(text); return this; }

        /** How long opening a connection (and a TLS handshake) may take. */
        public Builder connectTimeout(Duration d) { this.connectTimeout = positive(d); return this; }

        /** The longest silence allowed on a stream (longer than llama-server's 30 s keep-alive ping). */
        public Builder idleTimeout(Duration d) { this.idleTimeout = positive(d); return this; }

        /** The longest a blocking request may take as a whole. */
        public Builder requestTimeout(Duration d) { this.requestTimeout = positive(d); return this; }

        /**
         * Sends a chat request once more when the connection closed before any response (no
         * status line: nothing reached the caller) and {@code serverStillUp} says so. Off by
         * default, since the server may have started on the request: right for a server of one's
         * own (the Docker backend's container, where a duplicate costs only compute), wrong for a
         * shared one (the remote backend never does it).
         */
        public Builder retryUnansweredOnce(Predicate<OpenAiClient> serverStillUp) {
            this.retryUnanswered = java.util.Objects.requireNonNull(serverStillUp);
            return this;
        }

        public OpenAiClient build() {
            return new OpenAiClient(this);
        }

        private static Duration positive(Duration d) {
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("timeouts must be positive, got " + d);
            }
            return d;
        }
    }
}
