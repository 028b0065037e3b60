package org.snowcrash.openai;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

import okhttp3.OkHttpClient;

import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.ToolSpec;

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
 *
 * <p>The work is done by small package-private classes, each with one job: {@code Wire} (the
 * OkHttp transport), {@code BlockingAnswer} and {@code StreamedAnswer} (the two ways to answer),
 * {@code RetryOnce} (when a request may be sent again), {@code LlamaServerEndpoints} (what only
 * llama-server answers), {@code Failures} (errors to typed failures). The JSON itself is written
 * and read by the openai-wire module ({@code org.snowcrash.openai.wire}), which the server shares.
 */
public final class OpenAiClient {

    private final String apiBase;
    private final String where;
    private final Failures failures;
    private final RetryOnce retry;
    private final BlockingAnswer blocking;
    private final StreamedAnswer streamed;
    private final LlamaServerEndpoints llamaServer;

    private OpenAiClient(Builder b) {
        this.apiBase = b.apiBase;
        this.where = b.where;
        this.failures = new Failures(b.backendId, b.where, b.apiBase);
        Wire wire = new Wire(b.shared, b.apiBase, b.apiKey, b.connectTimeout, b.idleTimeout, b.requestTimeout,
                b.connectionAhead, failures);
        this.retry = new RetryOnce(b.retryUnanswered, b.backendId, b.where);
        this.blocking = new BlockingAnswer(wire, b.model);
        this.streamed = new StreamedAnswer(wire, b.model);
        this.llamaServer = new LlamaServerEndpoints(wire);
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
        return llamaServer.health(timeout);
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
        return retry.run(this, exchange, new Cancellation(), x -> blocking.read(request, x));
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
        return retry.run(this, exchange, cancellation, x -> streamed.read(request, sink, cancellation, x));
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
        return llamaServer.countPromptTokens(messages, tools);
    }

    /**
     * llama-server's slots ({@code GET /props} at the server's root): how many requests it serves
     * at once and the context each one has. Without {@code --kv-unified} each slot owns
     * {@code -c / -np} tokens; with it every slot reports the whole {@code -c}, shared by all.
     *
     * @throws ChatException when the server cannot be asked or does not say
     */
    public Slots slots() {
        return llamaServer.slots();
    }

    /**
     * @param count          how many requests the server serves at once
     * @param contextPerSlot the context one request can use, in tokens
     */
    public record Slots(int count, int contextPerSlot) {
    }

    /** A typed error naming this client's backend, model and address. */
    public ChatException error(ChatFailure f, Throwable cause) {
        return failures.error(f, cause);
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
        private Duration connectionAhead = Duration.ZERO;

        private Builder(OkHttpClient shared, String backendId, String apiBase) {
            this.shared = Objects.requireNonNull(shared, "shared");
            this.backendId = Objects.requireNonNull(backendId, "backendId");
            this.apiBase = Objects.requireNonNull(apiBase, "apiBase").replaceAll("/+$", "");
            this.where = this.apiBase;
        }

        /** Sent as {@code Authorization: Bearer <key>}; {@code null} sends none. */
        public Builder apiKey(String key) { this.apiKey = key; return this; }

        /** The {@code model} field of every chat request; {@code null} leaves it out. */
        public Builder model(String name) { this.model = name; return this; }

        /** Where, for error messages ({@code "model demo, http://gpu1:8080/v1"}); default the base URL. */
        public Builder where(String text) { this.where = Objects.requireNonNull(text); return this; }

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
            this.retryUnanswered = Objects.requireNonNull(serverStillUp);
            return this;
        }

        /**
         * After each streamed answer, opens the connection for the next request and keeps it for at
         * most {@code keptFor}, so that a request soon after (an agent's next step, a client's next
         * turn) skips the connect. For llama-server, which ends the connection after every stream,
         * so without this every streamed request opens one. {@code keptFor} must be shorter than the
         * server's keep-alive (llama-server's is 5 s), or the server may close the connection as it
         * is used. The open connection holds one of the server's HTTP threads while it waits. Off by
         * default; {@link Duration#ZERO} turns it off.
         */
        public Builder connectionAhead(Duration keptFor) {
            if (keptFor.isNegative()) {
                throw new IllegalArgumentException("keptFor must not be negative, got " + keptFor);
            }
            this.connectionAhead = keptFor;
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
