package org.snowcrash.backend.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.snowcrash.api.Availability;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.backend.remote.EndpointsRefused.Reason;

import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;

/**
 * The failover policy against HTTP faults on demand (two fake OpenAI-compatible servers): what
 * goes elsewhere, what does not, what cools an endpoint down, and how it comes back after the
 * cool-down (a hand-moved clock, so nothing waits for it). The same policy against real
 * llama-servers on other hosts, with links cut for real, is {@code RemoteAcrossHostsTest}.
 */
class RemoteFailoverTest {

    private static final Duration COOLDOWN = Duration.ofSeconds(30);

    private final ManualClock clock = new ManualClock();
    private final RemoteBackend backend = new RemoteBackend(clock);
    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeLater) {
            c.close();
        }
    }

    private FakeServer server(String... models) throws Exception {
        FakeServer f = FakeServer.serving(models);
        closeLater.add(f);
        return f;
    }

    private static BackendContext context(String endpoints, String... more) {
        Map<String, String> m = new HashMap<>();
        m.put("backend.remote.endpoints", endpoints);
        m.put("backend.remote.cooldown", COOLDOWN.toSeconds() + "s");
        m.put("backend.remote.idle-timeout", "700ms");
        m.put("backend.remote.connect-timeout", "1s");
        for (int i = 0; i < more.length; i += 2) {
            m.put(more[i], more[i + 1]);
        }
        return BackendContext.of(Settings.of(m));
    }

    private ModelSession start(String endpoints, String... more) throws Exception {
        ModelSession s = backend.start(ModelSpec.builder("demo", Path.of("demo.gguf")).build(), context(endpoints, more));
        closeLater.add(s);
        return s;
    }

    private static ChatRequest request() {
        return ChatRequest.of(List.of(ChatMessage.user("hi")), 4);
    }

    private static String streamed(ModelSession s) {
        return s.stream(request(), p -> { }, new Cancellation()).text();
    }

    @Test
    void aRequestThatCannotConnectIsAnsweredByTheOtherEndpointAndTheDeadOneCoolsDown() throws Exception {
        FakeServer a = server("demo");
        FakeServer b = server("demo");
        ModelSession s = start(a.url() + "," + b.url());
        a.close(); // refused from now on: the request never reaches it
        assertEquals("fine", streamed(s));
        assertEquals(1, b.chatRequests());
        for (int i = 0; i < 3; i++) {
            assertEquals("fine", s.chat(request()).text());
        }
        assertEquals(4, b.chatRequests(), "every request answered by the live one, once");
        assertEquals(0, a.chatRequests());
        assertTrue(endpoint(a).describeHealth().startsWith("cooling down for 30 s more after: the backend stopped"
                + " answering: cannot connect to " + a.url()), endpoint(a).describeHealth());
    }

    @Test
    void aServerErrorBeforeAnyTextIsRetriedElsewhere() throws Exception {
        FakeServer a = server("demo");
        FakeServer b = server("demo");
        ModelSession s = start(a.url() + "," + b.url());
        a.nextChat(new MockResponse.Builder().code(503).body("{\"error\":{\"code\":503,\"message\":\"Loading model\"}}").build());
        assertEquals("fine", streamed(s));
        assertEquals(1, a.chatRequests(), "refused there");
        assertEquals(1, b.chatRequests(), "answered here");
        assertFalse(endpoint(a).breaker().snapshot().usable(), "a cools down");
    }

    @Test
    void aStreamCutAfterItsFirstPieceFailsTypedAndIsNeverSentElsewhere() throws Exception {
        FakeServer a = server("demo");
        FakeServer b = server("demo");
        ModelSession s = start(a.url() + "," + b.url());
        a.nextChat(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                .body(FakeServer.chunk("a") + FakeServer.chunk("b")).onResponseBody(new SocketEffect.CloseSocket()).build());
        List<String> pieces = new ArrayList<>();
        ChatException e = assertThrows(ChatException.class, () -> s.stream(request(), pieces::add, new Cancellation()));
        assertInstanceOf(ChatFailure.BackendGone.class, e.failure(), e.getMessage());
        assertTrue(e.getMessage().startsWith("remote (model demo, " + a.url() + "): "), "names the endpoint: " + e.getMessage());
        assertFalse(pieces.isEmpty());
        assertEquals(0, b.chatRequests(), "a request whose text was delivered is never sent again");
        assertEquals("fine", streamed(s), "the next one goes to the other endpoint");
        assertEquals(1, b.chatRequests());
    }

    @Test
    void silenceAfterTheFirstPieceIsATimeoutAndIsNotRetried() throws Exception {
        FakeServer a = server("demo");
        FakeServer b = server("demo");
        ModelSession s = start(a.url() + "," + b.url());
        a.nextChat(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                .body(FakeServer.chunk("a") + FakeServer.chunk("b")).throttleBody(40, 3, TimeUnit.SECONDS).build());
        ChatException e = assertThrows(ChatException.class, () -> s.stream(request(), p -> { }, new Cancellation()));
        assertEquals(new ChatFailure.Timeout(Duration.ofMillis(700)), e.failure());
        assertEquals(0, b.chatRequests());
        assertFalse(endpoint(a).breaker().snapshot().usable());
    }

    @Test
    void aRefusalOfTheRequestItselfIsTheCallersAndLeavesTheEndpointHealthy() throws Exception {
        FakeServer a = server("demo");
        FakeServer b = server("demo");
        ModelSession s = start(a.url() + "," + b.url());
        a.nextChat(new MockResponse.Builder().code(400).body("{\"error\":{\"code\":400,\"type\":\"invalid_request_error\","
                + "\"message\":\"bad stop\"}}").build());
        ChatException e = assertThrows(ChatException.class, () -> s.chat(request()));
        assertEquals(new ChatFailure.ServerError(400, "invalid_request_error", "bad stop"), e.failure());
        assertEquals(0, b.chatRequests(), "not sent elsewhere: it would be refused there too");
        assertEquals("fine", s.chat(request()).text());
        assertEquals(2, a.chatRequests(), "the endpoint stays in use");
    }

    @Test
    void afterTheCooldownOneRequestReTestsTheEndpointAndTrafficComesBack() throws Exception {
        FakeServer a = server("demo");
        FakeServer b = server("demo");
        ModelSession s = start(a.url() + "," + b.url());
        a.nextChat(new MockResponse.Builder().code(502).body("bad gateway").build());
        assertEquals("fine", s.chat(request()).text());
        for (int i = 0; i < 3; i++) {
            s.chat(request());
        }
        assertEquals(1, a.chatRequests(), "left alone while cooling down");
        clock.advance(COOLDOWN.minusMillis(1));
        s.chat(request());
        assertEquals(1, a.chatRequests(), "still cooling down");
        clock.advance(Duration.ofMillis(1));
        s.chat(request());
        assertEquals(2, a.chatRequests(), "the re-test: one real request");
        assertTrue(endpoint(a).breaker().snapshot().usable());
        s.chat(request());
        assertEquals(3, a.chatRequests(), "healthy again: first in line when idle");
    }

    @Test
    void anEndpointDownAtStartIsCheckedForTheModelWhenItComesBack() throws Exception {
        FakeServer a = server("demo");
        FakeServer b = server("demo");
        int port = a.port();
        a.close();
        ModelSession s = start("http://127.0.0.1:" + port + "/v1," + b.url());
        assertTrue(s.info().detail().contains("later maybe [http://127.0.0.1:" + port + "/v1]"), s.info().detail());
        assertEquals("fine", s.chat(request()).text());
        FakeServer back = FakeServer.servingOnPort(port, "demo");
        closeLater.add(back);
        clock.advance(COOLDOWN);
        assertEquals("fine", s.chat(request()).text());
        assertEquals(1, back.modelRequests(), "its re-test is the model check");
        assertEquals(1, back.chatRequests(), "and then it serves");
    }

    @Test
    void anEndpointThatServesAnotherModelIsNeverUsedForThisOne() throws Exception {
        FakeServer a = server("other");
        FakeServer b = server("demo");
        ModelSession s = start(a.url() + "," + b.url());
        for (int i = 0; i < 3; i++) {
            s.chat(request());
        }
        assertEquals(0, a.chatRequests());
        assertEquals(3, b.chatRequests());
    }

    @Test
    void startFailuresAreTypedPerEndpoint() throws Exception {
        FakeServer a = server("demo");
        a.modelsAnswer(new MockResponse.Builder().code(401).body("{\"error\":{\"code\":401,\"message\":\"Invalid API Key\","
                + "\"type\":\"authentication_error\"}}").build());
        FakeServer b = server("llama-3.2-3b", "phi-3");
        FakeServer gone = server("demo");
        String goneUrl = gone.url();
        gone.close();
        BackendStartException e = assertThrows(BackendStartException.class, () -> start(a.url() + "," + b.url() + "," + goneUrl));
        EndpointsRefused r = assertInstanceOf(EndpointsRefused.class, e.failure());
        assertEquals(List.of(Reason.UNAUTHORIZED, Reason.MODEL_NOT_SERVED, Reason.UNREACHABLE),
                r.refusals().stream().map(EndpointsRefused.Refusal::reason).toList());
        assertEquals(List.of(a.url(), b.url(), goneUrl), r.refusals().stream().map(EndpointsRefused.Refusal::endpoint).toList());
        assertTrue(e.getMessage().startsWith("remote: cannot start model 'demo': no endpoint can serve the model: " + a.url()
                + ": 401 Invalid API Key (set backend.remote.api-key to a key it accepts); " + b.url()
                + ": serves [llama-3.2-3b, phi-3], not 'demo'"), e.getMessage());
        assertFalse(endpoint(a).breaker().snapshot().state() == CircuitBreaker.State.OPEN, "a refusal is not an outage");
        assertTrue(endpoint(goneUrl).breaker().snapshot().state() == CircuitBreaker.State.OPEN, "no answer is");
    }

    @Test
    void theRemoteNameIsWhatIsLookedForAndSent() throws Exception {
        FakeServer a = server("meta-llama/Llama-3.2-3B-Instruct");
        ModelSession s = start(a.url(), "model.demo.remote-name", "meta-llama/Llama-3.2-3B-Instruct");
        s.chat(request());
        assertTrue(s.info().detail().startsWith("model 'meta-llama/Llama-3.2-3B-Instruct' at [" + a.url() + "]"), s.info().detail());
    }

    @Test
    void availabilityAsksAllAtOnceAndLeavesCoolingEndpointsAlone() throws Exception {
        FakeServer a = server("demo");
        FakeServer b = server("demo");
        String deadUrl;
        try (FakeServer dead = FakeServer.serving("demo")) {
            deadUrl = dead.url();
        }
        assertTrue(backend.availability(context(deadUrl + "," + b.url())).isAvailable(), "one answering is enough");
        Availability none = backend.availability(context(deadUrl));
        String reason = ((Availability.Unavailable) none).reason();
        assertTrue(reason.startsWith("no endpoint answers: " + deadUrl + ": cooling down for 30 s more after: "), reason);
        a.modelsAnswer(new MockResponse.Builder().code(401).body("{}").build());
        assertTrue(backend.availability(context(a.url())).isAvailable(), "a refusal still shows somebody is there; the start says why");
        int asked = a.modelRequests();
        a.modelsAnswer(new MockResponse.Builder().code(503).body("{}").build());
        assertFalse(backend.availability(context(a.url())).isAvailable());
        assertFalse(backend.availability(context(a.url())).isAvailable());
        assertEquals(asked + 1, a.modelRequests(), "cooling down: not asked again");
    }

    @Test
    void withoutTheServersTokenizerPromptsAreCountedByAnUpperBound() throws Exception {
        FakeServer a = server("demo");
        ModelSession s = start(a.url());
        List<ChatMessage> messages = List.of(ChatMessage.system("be brief"), ChatMessage.user("héllo"));
        // 8 + (8 + 8 bytes) + (8 + 6 bytes): every byte counted as a token, a few for the template's markers.
        assertEquals(38, s.countPromptTokens(messages));
        assertTrue(s.isAlive());
        s.close();
        assertFalse(s.isAlive());
        assertInstanceOf(ChatFailure.Closed.class, assertThrows(ChatException.class, () -> s.chat(request())).failure());
    }

    private Endpoint endpoint(FakeServer f) {
        return endpoint(f.url());
    }

    private Endpoint endpoint(String url) {
        return backend.endpointAt(url).orElseThrow();
    }
}
