package org.snowcrash.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.OkHttpClient;

/**
 * HTTP behaviour a real llama-server cannot be made to show on demand: a stream cut in the
 * middle, an error inside a 200 stream, a long silence, an error status.
 */
class OpenAiClientTest {

    private MockWebServer server;
    private OpenAiClient client;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
        client = client(Duration.ofMillis(700), Duration.ofSeconds(5));
    }

    private OpenAiClient client(Duration idle, Duration request) {
        return OpenAiClient.builder(new OkHttpClient(), "docker", server.url("/v1").toString()).apiKey("secret")
                .where("model demo, test server").idleTimeout(idle).requestTimeout(request).build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static ChatRequest request() {
        return ChatRequest.of(List.of(ChatMessage.user("hi")), 8);
    }

    private static String chunk(String content) {
        return "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":null}]}\n\n";
    }

    private static MockResponse sse(String body) {
        return new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(body).build();
    }

    @Test
    void streamsPiecesAndTakesUsageFromTheFinalChunk() throws Exception {
        server.enqueue(sse(chunk("Hel") + chunk("lo") + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}],"
                + "\"timings\":{\"cache_n\":3,\"prompt_n\":9,\"predicted_n\":2}}\n\ndata: [DONE]\n\n"));
        List<String> pieces = new ArrayList<>();
        ChatResponse r = client.stream(request(), pieces::add, new Cancellation());
        assertEquals(List.of("Hel", "lo"), pieces);
        assertEquals("Hello", r.text());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(12, r.usage().promptTokens());
        assertEquals(2, r.usage().completionTokens());
        assertEquals(3, r.usage().cachedPromptTokens(), "timings.cache_n");
        RecordedRequest req = server.takeRequest();
        assertEquals("Bearer secret", req.getHeaders().get("Authorization"));
        assertTrue(req.getBody().utf8().contains("\"stream\":true"));
    }

    @Test
    void aStreamAsksForItsConnectionToCloseAndTheNextStreamOpensItsOwn() throws Exception {
        // llama-server closes the connection after a streamed answer while announcing keep-alive
        // (behind docker-proxy the close shows only when the next request fails): no stream may be
        // sent on a connection left over from the one before. MockWebServer would keep it open.
        String answer = chunk("a") + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
        server.enqueue(sse(answer));
        server.enqueue(sse(answer));
        assertEquals("a", client.stream(request(), p -> { }, new Cancellation()).text());
        assertEquals("a", client.stream(request(), p -> { }, new Cancellation()).text());
        RecordedRequest first = server.takeRequest();
        RecordedRequest second = server.takeRequest();
        assertEquals("close", first.getHeaders().get("Connection"));
        assertEquals("close", second.getHeaders().get("Connection"));
        assertEquals(0, second.getExchangeIndex(), "the second stream's request is the first on its connection");
        assertTrue(second.getConnectionIndex() != first.getConnectionIndex(), "a connection of its own");
    }

    @Test
    void aServerOnThisMachineIsConnectedToOnTheCallersThread() throws Exception {
        // OkHttp's fast fallback would hand the connect to its task thread and wait for it: two
        // thread switches before every first token, for a loopback address that has nothing to race.
        String answer = chunk("a") + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
        server.enqueue(sse(answer));
        List<String> connectedOn = new java.util.concurrent.CopyOnWriteArrayList<>();
        OkHttpClient shared = new OkHttpClient.Builder().eventListener(new okhttp3.EventListener() {
            @Override
            public void connectStart(okhttp3.Call call, java.net.InetSocketAddress address, java.net.Proxy proxy) {
                connectedOn.add(Thread.currentThread().getName());
            }
        }).build();
        OpenAiClient local = OpenAiClient.builder(shared, "docker", server.url("/v1").toString()).apiKey("secret")
                .where("model demo, test server").idleTimeout(Duration.ofSeconds(5)).requestTimeout(Duration.ofSeconds(5)).build();
        assertEquals("a", local.stream(request(), p -> { }, new Cancellation()).text());
        assertEquals(List.of(Thread.currentThread().getName()), connectedOn);
    }

    @Test
    void anErrorInsideA200StreamIsTyped() {
        server.enqueue(sse(chunk("x") + "data: {\"error\":{\"code\":400,\"type\":\"exceed_context_size_error\","
                + "\"message\":\"too long\",\"n_prompt_tokens\":600,\"n_ctx\":512}}\n\n"));
        ChatException e = assertThrows(ChatException.class, () -> client.stream(request(), p -> { }, new Cancellation()));
        ChatFailure.ContextOverflow o = assertInstanceOf(ChatFailure.ContextOverflow.class, e.failure());
        assertEquals(600, o.promptTokens());
        assertEquals(512, o.contextSize());
        assertTrue(e.getMessage().startsWith("docker (model demo, test server): "), e.getMessage());
    }

    @Test
    void aStreamCutInTheMiddleIsBackendGone() {
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                .body(chunk("a") + chunk("b") + chunk("c")).onResponseBody(new SocketEffect.CloseSocket()).build());
        ChatException e = assertThrows(ChatException.class, () -> client.stream(request(), p -> { }, new Cancellation()));
        assertInstanceOf(ChatFailure.BackendGone.class, e.failure());
    }

    @Test
    void aStreamThatEndsWithoutFinishingIsBackendGone() {
        server.enqueue(sse(chunk("a")));
        ChatException e = assertThrows(ChatException.class, () -> client.stream(request(), p -> { }, new Cancellation()));
        assertInstanceOf(ChatFailure.BackendGone.class, e.failure());
    }

    @Test
    void silenceLongerThanTheIdleTimeoutIsATimeout() {
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                .body(chunk("a") + chunk("b")).bodyDelay(3, TimeUnit.SECONDS).build());
        ChatException e = assertThrows(ChatException.class, () -> client.stream(request(), p -> { }, new Cancellation()));
        assertInstanceOf(ChatFailure.Timeout.class, e.failure(), e.getMessage());
    }

    @Test
    void silenceBeforeTheAnswerBeginsIsATimeout() {
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                .body(chunk("a")).headersDelay(3, TimeUnit.SECONDS).build());
        ChatException e = assertThrows(ChatException.class, () -> client.stream(request(), p -> { }, new Cancellation()));
        ChatFailure.Timeout t = assertInstanceOf(ChatFailure.Timeout.class, e.failure(), e.getMessage());
        assertEquals(Duration.ofMillis(700), t.silence());
    }

    @Test
    void aStreamThatKeepsTalkingOutlivesItsIdleBound() {
        // Streams have no socket timeout: the bound is the silence between lines, watched by one
        // timer. Twelve pieces a quarter second apart take three seconds, longer than the two
        // second bound, and every gap is far inside it: the answer is whole.
        OpenAiClient patient = client(Duration.ofSeconds(2), Duration.ofSeconds(5));
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            body.append(chunk("p" + i));
        }
        String tail = "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
        int bytesPerPiece = chunk("p0").length();
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                .body(body + tail).throttleBody(bytesPerPiece, 250, TimeUnit.MILLISECONDS).build());
        List<String> pieces = new ArrayList<>();
        ChatResponse r = patient.stream(request(), pieces::add, new Cancellation());
        assertEquals(12, pieces.size());
        assertEquals(FinishReason.STOP, r.finishReason());
    }

    @Test
    void aSinkSlowerThanTheIdleBoundIsNotTheServersSilence() {
        // The bound is the server's silence: time the caller spends with a piece (a slow client of
        // serve, whose writes block) is not counted, as the socket's read timeout never counted it.
        // Paced a piece at a time (every gap far inside the bound), so the rest is still on the
        // socket, not in the client's buffer, while the caller holds the first piece.
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                .body(chunk("a") + chunk("b")
                        + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
                .throttleBody(chunk("a").length(), 200, TimeUnit.MILLISECONDS).build());
        List<String> pieces = new ArrayList<>();
        ChatResponse r = client.stream(request(), p -> {
            pieces.add(p);
            if (pieces.size() == 1) {
                try {
                    Thread.sleep(1500); // twice the 0.7 s bound, inside the caller
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, new Cancellation());
        assertEquals(List.of("a", "b"), pieces);
        assertEquals(FinishReason.STOP, r.finishReason());
    }

    @Test
    void aBlockingAnswerSlowerThanTheIdleTimeoutIsWaitedForUpToTheRequestTimeout() throws Exception {
        // A blocking request is silent until the whole answer is ready: the idle timeout (0.7 s)
        // must not end it while the server still works; the request timeout (5 s) bounds it.
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json")
                .body("{\"choices\":[{\"message\":{\"content\":\"late\"},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}")
                .headersDelay(1500, TimeUnit.MILLISECONDS).build());
        assertEquals("late", client.chat(request()).text());
    }

    @Test
    void aBlockingAnswerPastTheRequestTimeoutIsATimeoutNamingThatBound() {
        OpenAiClient quick = client(Duration.ofMillis(300), Duration.ofMillis(900));
        server.enqueue(new MockResponse.Builder().body("{}").headersDelay(3, TimeUnit.SECONDS).build());
        long t0 = System.nanoTime();
        ChatException e = assertThrows(ChatException.class, () -> quick.chat(request()));
        ChatFailure.Timeout t = assertInstanceOf(ChatFailure.Timeout.class, e.failure(), e.getMessage());
        assertEquals(Duration.ofMillis(900), t.silence());
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 2_900, "ended by the request timeout, not by the server");
    }

    @Test
    void anErrorStatusIsTypedAndPostsAreNotRetried() throws Exception {
        server.enqueue(new MockResponse.Builder().code(503).body("{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}").build());
        ChatException e = assertThrows(ChatException.class, () -> client.chat(request()));
        ChatFailure.ServerError s = assertInstanceOf(ChatFailure.ServerError.class, e.failure());
        assertEquals(503, s.status());
        assertTrue(s.message().contains("Loading model"));
        assertEquals(1, server.getRequestCount());
    }

    @Test
    void aConnectionDroppedBeforeTheAnswerIsNotRetried() {
        server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
        server.enqueue(new MockResponse.Builder().body("{\"choices\":[{\"message\":{\"content\":\"second\"}}]}").build());
        ChatException e = assertThrows(ChatException.class, () -> client.chat(request()));
        assertInstanceOf(ChatFailure.BackendGone.class, e.failure(), e.getMessage());
        assertEquals(1, server.getRequestCount(), "the POST was sent once");
    }

    @Test
    void aServerOfOnesOwnThatClosedWithoutAnsweringIsAskedOnceMoreWhenItIsStillUp() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        OpenAiClient own = OpenAiClient.builder(new OkHttpClient(), "docker", server.url("/v1").toString())
                .idleTimeout(Duration.ofSeconds(5)).retryUnansweredOnce(c -> checks.incrementAndGet() > 0).build();
        // blocking
        server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
        server.enqueue(new MockResponse.Builder().body("{\"choices\":[{\"message\":{\"content\":\"second\"}}]}").build());
        assertEquals("second", own.chat(request()).text());
        // streaming: the caller sees the second answer only, once
        server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
        server.enqueue(sse(chunk("a") + chunk("b") + "data: [DONE]\n\n"));
        StringBuilder pieces = new StringBuilder();
        assertEquals("ab", own.stream(request(), pieces::append, new Cancellation()).text());
        assertEquals("ab", pieces.toString());
        assertEquals(4, server.getRequestCount());
        assertEquals(2, checks.get(), "asked whether the server is up before each second try");

        // twice unanswered: the second failure is the caller's, no third try
        server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
        server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
        ChatException e = assertThrows(ChatException.class, () -> own.chat(request()));
        assertInstanceOf(ChatFailure.BackendGone.class, e.failure());
        assertEquals(6, server.getRequestCount());
    }

    @Test
    void aSecondTryThatCannotConnectSaysSo() {
        OpenAiClient own = OpenAiClient.builder(new OkHttpClient(), "docker", server.url("/v1").toString())
                .idleTimeout(Duration.ofSeconds(5)).retryUnansweredOnce(c -> {
                    server.close(); // gone between the check and the second try
                    return true;
                }).build();
        server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
        Exchange x = new Exchange();
        ChatException e = assertThrows(ChatException.class, () -> own.chat(request(), x));
        assertInstanceOf(ChatFailure.BackendGone.class, e.failure());
        assertTrue(e.getMessage().contains("cannot connect"), e.getMessage());
        assertTrue(x.reachedServer(), "the first try did reach it: the caller must not send it elsewhere");
    }

    @Test
    void noSecondTryWhenTheServerIsDownOrHadAnswered() {
        OpenAiClient own = OpenAiClient.builder(new OkHttpClient(), "docker", server.url("/v1").toString())
                .idleTimeout(Duration.ofSeconds(5)).retryUnansweredOnce(c -> false).build();
        server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
        assertThrows(ChatException.class, () -> own.chat(request()));
        assertEquals(1, server.getRequestCount(), "the check said the server is gone");

        OpenAiClient up = OpenAiClient.builder(new OkHttpClient(), "docker", server.url("/v1").toString())
                .idleTimeout(Duration.ofSeconds(5)).retryUnansweredOnce(c -> true).build();
        // it answered (a status line came), then the stream was cut: the text may have reached the caller
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                .body(chunk("a") + chunk("b")).onResponseBody(new SocketEffect.CloseSocket()).build());
        ChatException e = assertThrows(ChatException.class, () -> up.stream(request(), p -> { }, new Cancellation()));
        assertInstanceOf(ChatFailure.BackendGone.class, e.failure());
        assertEquals(2, server.getRequestCount(), "sent once");
    }

    @Test
    void chatGoesUnderTheApiBaseAndTokenCountingToTheServersRoot() throws Exception {
        server.enqueue(new MockResponse.Builder().body("{\"choices\":[{\"message\":{\"content\":\"hi\"}}]}").build());
        server.enqueue(new MockResponse.Builder().body("{\"prompt\":\"<|im_start|>user hi\"}").build());
        server.enqueue(new MockResponse.Builder().body("{\"tokens\":[1,2,3,4]}").build());
        client.chat(request());
        assertEquals(4, client.countPromptTokens(request().messages()));
        assertEquals("/v1/chat/completions", server.takeRequest().getTarget());
        assertEquals("/apply-template", server.takeRequest().getTarget());
        assertEquals("/tokenize", server.takeRequest().getTarget());
    }

    @Test
    void theModelFieldIsSentOnlyWhenNamed() throws Exception {
        server.enqueue(new MockResponse.Builder().body("{\"choices\":[{\"message\":{\"content\":\"a\"}}]}").build());
        server.enqueue(new MockResponse.Builder().body("{\"choices\":[{\"message\":{\"content\":\"b\"}}]}").build());
        client.chat(request());
        OpenAiClient.builder(new OkHttpClient(), "remote", server.url("/v1").toString()).model("llama-3.2-3b").build().chat(request());
        assertTrue(!server.takeRequest().getBody().utf8().contains("\"model\""));
        assertTrue(server.takeRequest().getBody().utf8().contains("\"model\":\"llama-3.2-3b\""));
    }

    @Test
    void anExchangeTellsARefusedConnectionFromARequestTheServerHad() throws Exception {
        // Refused: nothing listens on the port any more, so the request cannot have run anywhere.
        int port = server.getPort();
        server.close();
        OpenAiClient gone = OpenAiClient.builder(new OkHttpClient(), "remote", "http://127.0.0.1:" + port + "/v1")
                .connectTimeout(Duration.ofSeconds(2)).build();
        Exchange refused = new Exchange();
        ChatException e = assertThrows(ChatException.class, () -> gone.stream(request(), p -> { }, new Cancellation(), refused));
        assertInstanceOf(ChatFailure.BackendGone.class, e.failure());
        assertTrue(e.getMessage().contains("cannot connect to http://127.0.0.1:" + port + "/v1"), e.getMessage());
        assertFalse(refused.reachedServer());
        assertEquals(-1, refused.status());
    }

    @Test
    void anExchangeRecordsTheStatusAndThatTheServerHadTheRequest() {
        server.enqueue(new MockResponse.Builder().code(503).body("{\"error\":{\"code\":503,\"message\":\"busy\"}}").build());
        Exchange x = new Exchange();
        assertThrows(ChatException.class, () -> client.stream(request(), p -> { }, new Cancellation(), x));
        assertTrue(x.reachedServer());
        assertEquals(503, x.status());

        server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
        Exchange dropped = new Exchange();
        ChatException e = assertThrows(ChatException.class, () -> client.chat(request(), dropped));
        assertInstanceOf(ChatFailure.BackendGone.class, e.failure());
        assertTrue(dropped.reachedServer(), "the connection was made: the server may have the request");
        assertEquals(-1, dropped.status());
    }

    @Test
    void aGatewaysErrorPageStillGivesATypedStatus() {
        server.enqueue(new MockResponse.Builder().code(502).body("<html><body>502 Bad Gateway</body></html>").build());
        server.enqueue(new MockResponse.Builder().code(502).body("<html><body>502 Bad Gateway</body></html>").build());
        ChatException blocking = assertThrows(ChatException.class, () -> client.chat(request()));
        assertEquals(new ChatFailure.ServerError(502, "", "<html><body>502 Bad Gateway</body></html>"), blocking.failure());
        ChatException streamed = assertThrows(ChatException.class, () -> client.stream(request(), p -> { }, new Cancellation()));
        assertEquals(new ChatFailure.ServerError(502, "", "<html><body>502 Bad Gateway</body></html>"), streamed.failure());
    }
}
