package org.snowcrash.openai;

import java.io.IOException;
import java.net.Proxy;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The HTTP side of one {@link OpenAiClient}: its OkHttp clients with the settings that keep a
 * generation from running twice, the server's addresses, the API key, and a JSON {@code POST}
 * whose failures come back typed through {@link Failures}. Kept apart so the answer readers and
 * the llama-server endpoints share one transport. Thread-safe (OkHttp clients are).
 */
final class Wire {

    static final MediaType JSON = MediaType.get("application/json");

    /** For llama-server's endpoints: the read timeout is the allowed silence. */
    final OkHttpClient http;
    /** For streams: no socket timeouts; {@link Silence} keeps the idle bound. */
    final OkHttpClient streaming;
    /** For blocking requests: the server says nothing until the whole answer is ready, so silence is not a fault. */
    final OkHttpClient blocking;
    final String apiBase;
    /** The server's root: {@code apiBase} without the trailing {@code /v1}. */
    final String root;
    final Duration idleTimeout;
    final Duration requestTimeout;
    final Failures failures;
    private final String apiKey;

    /** {@code <apiBase>/chat/completions}, parsed once (not per request); null when the base is no URL, which each request then reports. */
    final HttpUrl chatUrl;

    /** For the request that opens a connection ahead: bounded as a whole, so a frozen server holds no thread long; null when none is opened ahead. */
    private final OkHttpClient opener;
    /** That request, built once: it is sent after every stream; null when none is opened ahead. */
    private final Request openerRequest;

    Wire(OkHttpClient shared, String apiBase, String apiKey, Duration connectTimeout, Duration idleTimeout,
         Duration requestTimeout, Duration ahead, Failures failures) {
        this.chatUrl = HttpUrl.parse(apiBase + "/chat/completions");
        OkHttpClient.Builder b = shared.newBuilder();
        Duration connect = connectTimeout;
        if (chatUrl != null && loopback(chatUrl.host())) {
            // A server on this machine (the Docker backend's container) is never reached through a
            // proxy (the JDK's selector excludes loopback by default too): skip asking the selector,
            // which is part of the per-request work before the request goes out.
            b.proxy(Proxy.NO_PROXY);
            // A loopback address answers or refuses at once, nothing to race: connect on the calling
            // thread. OkHttp's fast fallback (Happy Eyeballs) hands every connect to its task thread
            // and waits for it, two thread switches on the path of every request's first token.
            b.fastFallback(false);
            // And with no connect timeout: the JDK puts a socket connected with a timeout in
            // non-blocking mode for good, and then reads every token with a read that finds
            // nothing, a poll and a read again. A loopback connect is accepted or refused at once
            // (docker-proxy accepts for the container). One that hangs (a frozen container reached
            // without docker-proxy, its accept queue full) is cut by the idle bound on a stream, by
            // the request timeout on a blocking call, and by the kernel's SYN retries (about two
            // minutes) on llama-server's own endpoints.
            connect = Duration.ZERO;
        }
        this.http = b
                .retryOnConnectionFailure(false)
                // No idle connections are kept, unless opened ahead (below) for a server whose
                // keep-alive is known: llama-server (behind docker-proxy, or a gateway) may close a
                // connection after a streamed answer without saying so, or an idle one at its
                // keep-alive, and a POST sent on such a stale pooled connection fails; retrying it
                // silently is what we must not do. A connection kept for less than the server's
                // keep-alive and never used for a stream is not stale.
                .connectionPool(ahead.isZero() ? new ConnectionPool(0, 1, TimeUnit.SECONDS)
                        : new ConnectionPool(1, ahead.toMillis(), TimeUnit.MILLISECONDS))
                // Runs once a connection is made, just before the request is written: from then on
                // the server may have the request, and sending it elsewhere could run it twice.
                .addNetworkInterceptor(chain -> {
                    Exchange exchange = chain.request().tag(Exchange.class);
                    if (exchange != null) {
                        exchange.markReachedServer();
                    }
                    return chain.proceed(chain.request());
                })
                .connectTimeout(connect)
                .readTimeout(idleTimeout)
                .writeTimeout(Duration.ofSeconds(30))
                .build();
        this.apiBase = apiBase;
        this.root = apiBase.endsWith("/v1") ? apiBase.substring(0, apiBase.length() - 3) : apiBase;
        this.apiKey = apiKey;
        this.idleTimeout = idleTimeout;
        this.requestTimeout = requestTimeout;
        this.failures = failures;
        HttpUrl health = ahead.isZero() ? null : HttpUrl.parse(root + "/health");
        this.opener = health == null ? null : http.newBuilder().callTimeout(connectTimeout).build();
        this.openerRequest = health == null ? null : new Request.Builder().url(health).get().build();
        this.blocking = http.newBuilder().readTimeout(requestTimeout).callTimeout(requestTimeout).build();
        this.streaming = http.newBuilder().readTimeout(Duration.ZERO).writeTimeout(Duration.ZERO).build();
    }

    /**
     * Opens the connection the next request will use, when this client opens them ahead and none is
     * waiting: a {@code GET /health} on a new connection, whose answer is read whole, so the
     * connection goes to the pool (llama-server keeps a connection after a short answer, unlike
     * after a stream). Runs on OkHttp's dispatcher, off the caller's path; a failure only means the
     * next request connects itself. The pool drops the connection after the time given to the builder.
     */
    void openAhead() {
        if (openerRequest == null || http.connectionPool().idleConnectionCount() > 0) {
            return;
        }
        opener.newCall(openerRequest).enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                // nothing kept: the next request opens its own connection, as without this
            }

            @Override
            public void onResponse(Call call, Response response) throws IOException {
                try (response) {
                    response.body().bytes(); // read to its end: only then does the connection go back to the pool
                }
            }
        });
    }

    /** The address of the chat endpoint, for a request builder. */
    Request.Builder chat(Request.Builder b) {
        return chatUrl != null ? b.url(chatUrl) : b.url(apiBase + "/chat/completions");
    }

    private static boolean loopback(String host) {
        return host.equals("localhost") || host.equals("::1") || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    /** Adds {@code Authorization: Bearer <key>} when there is a key. */
    Request.Builder authorized(Request.Builder b) {
        return apiKey == null ? b : b.header("Authorization", "Bearer " + apiKey);
    }

    /**
     * POSTs {@code json} to {@code url} with {@code client} and returns the answer's JSON.
     *
     * @param timeout the bound named when the server stays silent
     * @throws org.snowcrash.api.ChatException typed by {@link Failures}
     */
    JsonNode post(OkHttpClient client, Duration timeout, String url, JsonNode json, Exchange exchange) {
        Request req = authorized(new Request.Builder().url(url).tag(Exchange.class, exchange)
                .post(RequestBody.create(json.toString(), JSON))).build();
        try (Response r = client.newCall(req).execute()) {
            exchange.status(r.code());
            String body = r.body() == null ? "" : r.body().string();
            if (!r.isSuccessful()) {
                throw failures.status(r.code(), body);
            }
            return failures.parse(body);
        } catch (IOException e) {
            throw failures.transport(e, timeout, exchange);
        }
    }
}
