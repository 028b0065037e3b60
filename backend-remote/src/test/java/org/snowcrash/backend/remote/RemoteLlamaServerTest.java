package org.snowcrash.backend.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.agent.Agent;
import org.snowcrash.agent.NoBackendStartedException;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.backend.remote.EndpointsRefused.Reason;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.testkit.docker.LlamaServerContainer;
import org.snowcrash.testkit.docker.RequiresLlamaServer;

/**
 * Real llama-servers (the test image, on loopback): one plain with an API key, one over TLS with a
 * certificate from a private CA. What a robot's user gets right and wrong: the right settings are
 * served by {@code remote} through the library; a wrong key, a wrong CA and a server of another
 * model are typed start failures naming the endpoint and what it answered.
 */
@RequiresLlamaServer
class RemoteLlamaServerTest {

    private static final String KEY = "s3cret-test-key";

    @TempDir
    static Path dir;

    private static Path model;
    private static TestCa ca;
    private static TestCa otherCa;
    private static LlamaServerContainer plain;
    private static LlamaServerContainer tls;

    @BeforeAll
    static void servers() throws Exception {
        model = dir.resolve("models").resolve("demo.gguf");
        Files.createDirectories(model.getParent());
        TinyLlama.demo().write(model);
        ca = TestCa.create(dir.resolve("ca"), "snowcrash fleet CA");
        otherCa = TestCa.create(dir.resolve("other-ca"), "somebody else's CA");
        Path[] cert = ca.serverCertificate("gpu1", "127.0.0.1");
        plain = LlamaServerContainer.of(model).alias("demo").apiKey(KEY).start();
        tls = LlamaServerContainer.of(model).alias("demo").apiKey(KEY).tls(cert[0], cert[1], ca.certificate()).start();
    }

    @AfterAll
    static void stop() {
        LlamaServerContainer.removeOwn();
    }

    private static Settings settings(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("backend.remote.api-key", KEY);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return Settings.of(m, "test");
    }

    private static ModelSpec spec() {
        return ModelSpec.builder("demo", model).build();
    }

    private static EndpointsRefused.Refusal refusal(Settings s) {
        BackendStartException e = assertThrows(BackendStartException.class,
                () -> new RemoteBackend().start(spec(), BackendContext.of(s)));
        EndpointsRefused r = assertInstanceOf(EndpointsRefused.class, e.failure(), e.getMessage());
        return r.refusals().get(0);
    }

    @Test
    void aHealthyRemoteServesTheModelThroughTheLibrary() throws Exception {
        List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
        int before = plain.generations();
        try (RunningModel m = RunningModel.builder().settings(settings("backend.remote.endpoints", plain.url()))
                .spec(spec()).listener(events::add).start()) {
            assertEquals("remote", m.info().backendId());
            assertEquals(512, m.info().contextSize(), "the server's own context, from its model list");
            StringBuilder pieces = new StringBuilder();
            ChatResponse r = m.stream(ChatRequest.of(List.of(ChatMessage.user("hello")), 8), pieces::append, new Cancellation());
            assertEquals(8, r.usage().completionTokens());
            assertEquals(r.text(), pieces.toString());
        }
        assertTrue(events.contains(new LifecycleEvent.ServedBy("remote", "demo")), events.toString());
        assertEquals(before + 1, plain.generations(), "one request, one generation on the server");
    }

    @Test
    void anAgentKeepsItsConversationOnTheRemote() throws Exception {
        try (Agent agent = Agent.builder().settings(settings("backend.remote.endpoints", plain.url())).spec(spec())
                .maxTokens(4).start()) {
            agent.ask("one");
            agent.ask("two");
            assertEquals(4, agent.history().size());
        }
    }

    @Test
    void overTlsWithThePrivateCaItIsServed() throws Exception {
        try (RunningModel m = RunningModel.builder().settings(settings("backend.remote.endpoints", tls.url(),
                "backend.remote.ca-file", ca.certificate().toString())).spec(spec()).start()) {
            assertEquals("remote", m.info().backendId());
            assertEquals(4, m.chat(ChatRequest.of(List.of(ChatMessage.user("hi")), 4)).usage().completionTokens());
        }
    }

    @Test
    void aWrongApiKeyIsATypedStartFailure() {
        var r = refusal(settings("backend.remote.endpoints", plain.url(), "backend.remote.api-key", "wrong"));
        assertEquals(Reason.UNAUTHORIZED, r.reason());
        assertEquals(plain.url(), r.endpoint());
        assertEquals("401 Invalid API Key (set backend.remote.api-key to a key it accepts)", r.answer());
    }

    @Test
    void noApiKeyAtAllIsRefusedToo() {
        Settings s = Settings.of(Map.of("backend.remote.endpoints", plain.url()));
        BackendStartException e = assertThrows(BackendStartException.class, () -> new RemoteBackend().start(spec(), BackendContext.of(s)));
        assertEquals(Reason.UNAUTHORIZED, ((EndpointsRefused) e.failure()).refusals().get(0).reason());
    }

    @Test
    void aWrongCaIsATypedStartFailure() {
        var wrong = refusal(settings("backend.remote.endpoints", tls.url(), "backend.remote.ca-file",
                otherCa.certificate().toString()));
        assertEquals(Reason.TLS, wrong.reason());
        assertTrue(wrong.answer().startsWith("TLS handshake failed: "), wrong.answer());
        // Without a CA file only the system's authorities are trusted, and none of them signed it.
        assertEquals(Reason.TLS, refusal(settings("backend.remote.endpoints", tls.url())).reason());
    }

    @Test
    void anEndpointThatServesAnotherModelIsATypedStartFailure() {
        var r = refusal(settings("backend.remote.endpoints", plain.url(), "model.demo.remote-name", "llama-3.2-3b"));
        assertEquals(Reason.MODEL_NOT_SERVED, r.reason());
        assertEquals("serves [demo], not 'llama-3.2-3b'", r.answer());
    }

    @Test
    void throughTheRuntimeAStartFailureNamesTheEndpointAndWhatItAnswered() {
        NoBackendStartedException e = assertThrows(NoBackendStartedException.class, () -> RunningModel.builder()
                .settings(settings("backend.remote.endpoints", plain.url(), "backend.remote.api-key", "wrong"))
                .spec(spec()).start());
        assertTrue(e.getMessage().contains("remote") && e.getMessage().contains(plain.url() + ": 401 Invalid API Key"),
                e.getMessage());
    }
}
