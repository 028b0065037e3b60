package org.snowcrash.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.Availability;
import org.snowcrash.api.Capability;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.LlmBackend;
import org.snowcrash.api.JsonSchema;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.Settings;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolCallDelta;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolSpec;
import org.snowcrash.models.ModelCatalog;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.tools.AnswerCheck;

/**
 * The contract every {@link LlmBackend} passes, run against the real backend: extend this class in
 * the backend's tests and say how to make the backend, its context and a spec. It checks what the
 * SPI's Javadoc promises: found by ServiceLoader, cheap and stable identity, availability that
 * never throws whatever the configuration, start failures that are typed, sessions whose close is
 * idempotent and refuses use afterwards, streaming that delivers what blocking returns, and the
 * declared capabilities (tools, JSON schema) held by the session itself.
 */
public abstract class LlmBackendContract {

    @TempDir
    protected Path modelDir;

    /** A new instance, as ServiceLoader would make it. */
    protected abstract LlmBackend newBackend();

    /** The context the backend runs with in these tests. */
    protected abstract BackendContext context();

    /** A spec for a model file (the file may not exist, for the failure case). */
    protected abstract ModelSpec spec(Path file);

    private Path demoModel() throws IOException {
        Path file = modelDir.resolve("contract-demo.gguf");
        TinyLlama.demo().write(file);
        return file;
    }

    private static ChatRequest request(String text, int max) {
        return ChatRequest.of(List.of(ChatMessage.user(text)), max).withTemperature(0).withSeed(5);
    }

    @Test
    void serviceLoaderFindsIt() {
        List<String> classes = ServiceLoader.load(LlmBackend.class).stream().map(p -> p.type().getName())
                .collect(Collectors.toList());
        assertTrue(classes.contains(newBackend().getClass().getName()), classes.toString());
    }

    @Test
    void identityIsCheapAndStable() {
        LlmBackend a = newBackend();
        LlmBackend b = newBackend();
        assertTrue(a.id().matches("[a-z][a-z0-9-]{0,31}"), a.id());
        assertEquals(a.id(), b.id());
        assertEquals(a.defaultPriority(), b.defaultPriority());
    }

    @Test
    void perModelSettingsAreConstantWellFormedAndNotTheCatalogs() {
        LlmBackend backend = newBackend();
        assertEquals(backend.modelSettings(), newBackend().modelSettings());
        for (String key : backend.modelSettings()) {
            assertTrue(key.matches("[a-z][a-z0-9-]*"), "model.<id>." + key + " is not a plain key");
            // the catalog's own keys mean one thing for every backend; a backend must not take one over
            assertFalse(ModelCatalog.MODEL_KEYS.contains(key), key + " is a catalog key");
        }
    }

    @Test
    void availabilityNeverThrowsWhateverTheConfiguration() {
        LlmBackend backend = newBackend();
        String p = "backend." + backend.id() + ".";
        List<Settings> garbage = new ArrayList<>();
        garbage.add(Settings.empty());
        garbage.add(Settings.of(Map.of(p + "host", "nonsense://x", p + "ping-timeout", "-1s", p + "image", "")));
        garbage.add(Settings.of(Map.of(p + "priority", "high", p + "enabled", "perhaps", p + "log", "loud")));
        garbage.add(Settings.of(Map.of(p + "timeout", "\u0000", p + "pull", "sometimes", p + "gpu", "maybe")));
        for (Settings s : garbage) {
            Availability a = backend.availability(new BackendContext(s, e -> { }));
            assertNotNull(a, "availability for " + s);
            if (a instanceof Availability.Unavailable u) {
                assertTrue(!u.reason().isBlank());
            } else if (a instanceof Availability.NotConfigured n) {
                assertTrue(!n.howTo().isBlank());
            }
        }
    }

    @Test
    void aStartFailureIsTyped() {
        ModelSpec missing = spec(modelDir.resolve("no-such-model.gguf"));
        BackendStartException e = assertThrows(BackendStartException.class, () -> newBackend().start(missing, context()));
        assertNotNull(e.failure());
        assertEquals(newBackend().id(), e.backendId());
        assertTrue(e.getMessage().startsWith(newBackend().id() + ": cannot start model '"), e.getMessage());
    }

    @Test
    void closeIsIdempotentAndRefusesUseAfterwards() throws Exception {
        ModelSession s = newBackend().start(spec(demoModel()), context());
        assertEquals(newBackend().id(), s.info().backendId());
        assertTrue(s.isAlive());
        s.close();
        s.close();
        ChatException e = assertThrows(ChatException.class, () -> s.chat(request("hi", 2)));
        assertInstanceOf(ChatFailure.Closed.class, e.failure());
    }

    @Test
    void streamingDeliversWhatBlockingReturns() throws Exception {
        try (ModelSession s = newBackend().start(spec(demoModel()), context())) {
            // Warm the prompt cache first: a cached and an uncached prompt take different numeric
            // paths, and with random weights near-tied logits may then pick different tokens.
            s.chat(request("hello", 12));
            ChatResponse blocking = s.chat(request("hello", 12));
            StringBuilder pieces = new StringBuilder();
            ChatResponse streamed = s.stream(request("hello", 12), pieces::append, new Cancellation());
            assertEquals(blocking.text(), streamed.text());
            assertEquals(streamed.text(), pieces.toString());
            assertEquals(blocking.usage(), streamed.usage());
            assertEquals(blocking.finishReason(), streamed.finishReason());
        }
    }

    /**
     * What the backend declares, its sessions hold by themselves (before any runtime check): with
     * {@link Capability#TOOLS}, a call forced by name is a call to that tool with arguments valid
     * against its schema, blocking and streamed (the streamed deltas assemble to the response's
     * calls); with {@link Capability#JSON_SCHEMA}, the answer is JSON valid against the schema.
     * Random weights and greedy sampling: what holds, holds whatever the model would say.
     */
    @Test
    void whatIsDeclaredHoldsOnTheSession() throws Exception {
        LlmBackend backend = newBackend();
        ToolSpec stop = ToolSpec.of("stop", "Stop moving", "{\"type\":\"object\",\"properties\":{\"now\":{\"type\":\"boolean\"}},"
                + "\"required\":[\"now\"],\"additionalProperties\":false}");
        ToolSpec look = ToolSpec.of("look", "", "{\"type\":\"object\",\"properties\":{}}");
        try (ModelSession s = backend.start(spec(demoModel()), context())) {
            // Read after start, as the runtime reads them: a backend may declare what its settings say.
            java.util.Set<Capability> declared = backend.capabilities();
            if (declared.contains(Capability.TOOLS)) {
                ChatRequest forced = request("hello", 300).withTools(List.of(look, stop), ToolChoice.named("stop"));
                ChatResponse blocking = s.chat(forced);
                assertEquals(java.util.Optional.empty(), AnswerCheck.problem(forced, blocking), blocking.toString());
                assertEquals("stop", blocking.toolCalls().get(0).name());
                Map<Integer, String[]> deltas = new java.util.TreeMap<>();
                ChatResponse streamed = s.stream(forced, new TokenSink() {
                    @Override
                    public void accept(String piece) {
                    }

                    @Override
                    public void toolCall(ToolCallDelta d) {
                        if (d.opensCall()) {
                            deltas.put(d.index(), new String[] {d.id(), d.name(), d.arguments()});
                        } else {
                            deltas.get(d.index())[2] += d.arguments();
                        }
                    }
                }, new Cancellation());
                assertEquals(java.util.Optional.empty(), AnswerCheck.problem(forced, streamed), streamed.toString());
                assertEquals(streamed.toolCalls(), deltas.values().stream().map(d -> new ToolCall(d[0], d[1], d[2])).toList(),
                        "the streamed deltas assemble to the response's calls");
            }
            if (declared.contains(Capability.JSON_SCHEMA)) {
                ChatRequest json = request("hello", 300).withResponseFormat(ResponseFormat.jsonSchema("flag",
                        JsonSchema.of("{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}},\"required\":[\"ok\"],"
                                + "\"additionalProperties\":false}")));
                ChatResponse r = s.chat(json);
                assertEquals(java.util.Optional.empty(), AnswerCheck.problem(json, r), r.toString());
            }
        }
    }
}
