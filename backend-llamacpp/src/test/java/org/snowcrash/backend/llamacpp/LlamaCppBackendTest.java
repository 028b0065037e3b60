package org.snowcrash.backend.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snowcrash.agent.Agent;
import org.snowcrash.agent.AgentEvent;
import org.snowcrash.api.Availability;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.LlmBackend;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.api.StartFailure;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.registry.BackendRegistry;

/**
 * The in-process backend against real llama.cpp (java-llama.cpp 4.2.0) and a model written by our
 * own GGUF writer. One model is loaded for the whole class: 4.2.0 cannot really unload one.
 */
class LlamaCppBackendTest {

    private static Path dir;
    private static ModelSpec spec;
    private static ModelSession session;
    private static final LlamaCppBackend BACKEND = new LlamaCppBackend();

    @BeforeAll
    static void load() throws Exception {
        dir = Files.createTempDirectory("llamacpp-test");
        Path file = dir.resolve("demo.gguf");
        TinyLlama.demo().write(file);
        spec = ModelSpec.builder("demo", file).contextSize(256).gpuLayers(0).build();
        assertEquals(Availability.available(), BACKEND.availability(BackendContext.of(Settings.empty())),
                "the native library must load on this machine");
        session = BACKEND.start(spec, BackendContext.of(Settings.empty()));
    }

    @AfterAll
    static void close() {
        if (session != null) {
            session.close();
        }
    }

    private static ChatRequest request(String text, int maxTokens) {
        return ChatRequest.of(List.of(ChatMessage.system("be brief"), ChatMessage.user(text)), maxTokens)
                .withTemperature(0).withSeed(1);
    }

    @Test
    void serviceLoaderFindsIt() {
        List<String> ids = ServiceLoader.load(LlmBackend.class).stream().map(p -> p.get().id()).collect(Collectors.toList());
        assertEquals(List.of("llamacpp"), ids);
        assertEquals(10, BackendRegistry.discover(Settings.empty()).find("llamacpp").orElseThrow().priority());
    }

    @Test
    void blockingAndStreamingAgree() {
        // Warm the prompt cache first: a cached and an uncached prompt take different numeric
        // paths, and with random weights near-tied logits may then pick different tokens.
        session.chat(request("hello robot", 24));
        ChatResponse blocking = session.chat(request("hello robot", 24));
        List<String> pieces = new ArrayList<>();
        ChatResponse streamed = session.stream(request("hello robot", 24), pieces::add, new Cancellation());
        assertEquals(blocking.text(), streamed.text(), "greedy decoding gives the same text");
        assertEquals(streamed.text(), String.join("", pieces), "the pieces make up the text");
        assertTrue(pieces.size() > 1, "text arrives in pieces");
        assertEquals(blocking.usage(), streamed.usage());
    }

    @Test
    void usageCountsArePlausible() {
        ChatResponse r = session.chat(request("how are you", 16));
        int prompt = session.countPromptTokens(request("how are you", 16).messages());
        assertEquals(prompt, r.usage().promptTokens());
        // ChatML wrapping alone is dozens of byte tokens in this vocabulary.
        assertTrue(r.usage().promptTokens() > "how are you".length(), "prompt tokens: " + r.usage().promptTokens());
        assertTrue(r.usage().completionTokens() >= 1 && r.usage().completionTokens() <= 16, "completion: " + r.usage());
        if (r.finishReason() == FinishReason.LENGTH) {
            assertEquals(16, r.usage().completionTokens());
        }
    }

    @Test
    void aPromptThatBeginsWithThePreviousOneIsReportedAsCached() {
        List<ChatMessage> first = List.of(ChatMessage.system("be brief"), ChatMessage.user("what do you see"));
        ChatResponse one = session.chat(ChatRequest.of(first, 8).withTemperature(0));
        List<ChatMessage> next = new ArrayList<>(first);
        next.add(ChatMessage.assistant(one.text()));
        next.add(ChatMessage.user("and now"));
        ChatResponse two = session.chat(ChatRequest.of(next, 8).withTemperature(0));
        assertEquals(one.usage().promptTokens(), two.usage().cachedPromptTokens(), "the whole previous prompt: " + two.usage());
        // Another system prompt: only BOS, the tokenizer's leading space and "<|im_start|>system\nbe " are
        // the same (one token per byte in this vocabulary).
        ChatResponse three = session.chat(ChatRequest.of(List.of(ChatMessage.system("be long"), ChatMessage.user("what do you see")), 8)
                .withTemperature(0));
        assertEquals(2 + "<|im_start|>system\nbe ".length(), three.usage().cachedPromptTokens(), three.usage().toString());
        // The same prompt again: all of it but the one token that must be evaluated for logits.
        ChatResponse four = session.chat(ChatRequest.of(List.of(ChatMessage.system("be long"), ChatMessage.user("what do you see")), 8)
                .withTemperature(0));
        assertEquals(four.usage().promptTokens() - 1, four.usage().cachedPromptTokens());
    }

    @Test
    void cancelStopsGeneration() {
        Cancellation c = new Cancellation();
        AtomicInteger pieces = new AtomicInteger();
        ChatResponse r = session.stream(request("tell me a long story", 200), p -> {
            if (pieces.incrementAndGet() == 3) {
                c.cancel();
            }
        }, c);
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertTrue(pieces.get() <= 4, "generation stopped soon after cancel: " + pieces.get());
        // The session is usable again after a cancel.
        assertTrue(session.chat(request("again", 4)).usage().completionTokens() >= 1);
    }

    @Test
    void promptLargerThanTheContextIsATypedError() {
        ChatException e = assertThrows(ChatException.class, () -> session.chat(request("x ".repeat(400), 8)));
        assertInstanceOf(ChatFailure.ContextOverflow.class, e.failure());
    }

    @Test
    void concurrentRequestsAreSerializedAndAllComplete() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            session.chat(request("same question", 12)); // same prompt-cache state for all eight
            List<Future<ChatResponse>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                fs.add(pool.submit(() -> session.chat(request("same question", 12))));
            }
            String first = fs.get(0).get().text();
            for (Future<ChatResponse> f : fs) {
                assertEquals(first, f.get().text(), "no answer mixed with another's");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aClosedSessionRefusesAndTheModelIsReused() throws Exception {
        ModelSession second = BACKEND.start(spec, BackendContext.of(Settings.empty()));
        second.close();
        second.close();
        ChatException e = assertThrows(ChatException.class, () -> second.chat(request("hi", 4)));
        assertInstanceOf(ChatFailure.Closed.class, e.failure());
        assertTrue(session.chat(request("still here", 4)).usage().completionTokens() >= 1, "the shared model still serves");
    }

    @Test
    void theSameFileWithOtherSettingsIsATypedFailure() {
        ModelSpec other = spec.toBuilder().contextSize(512).build();
        BackendStartException e = assertThrows(BackendStartException.class, () -> BACKEND.start(other, BackendContext.of(Settings.empty())));
        assertInstanceOf(StartFailure.Other.class, e.failure());
        assertTrue(e.getMessage().contains("already loaded"), e.getMessage());
    }

    @Test
    void aFileTheReaderRejectsNeverReachesNativeCode() throws Exception {
        Path bad = dir.resolve("bad.gguf");
        byte[] good = Files.readAllBytes(spec.file());
        Files.write(bad, java.util.Arrays.copyOf(good, good.length / 2));
        BackendStartException e = assertThrows(BackendStartException.class,
                () -> BACKEND.start(ModelSpec.builder("bad", bad).build(), BackendContext.of(Settings.empty())));
        assertInstanceOf(StartFailure.ModelInvalid.class, e.failure());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void damagedFilesTheReaderRejectsAreRefusedBeforeNativeCode() throws Exception {
        byte[] good = Files.readAllBytes(spec.file());
        java.util.Random r = new java.util.Random(7);
        int refused = 0;
        for (int i = 0; i < 60 && refused < 20; i++) {
            byte[] b = java.util.Arrays.copyOf(good, good.length);
            for (int k = 0; k < 4; k++) {
                b[r.nextInt(2048)] = (byte) r.nextInt(256); // header and metadata
            }
            if (org.snowcrash.models.ModelValidator.problem(write(b, i)).isEmpty()) {
                continue; // the reader accepts it: not this test's case
            }
            Path file = dir.resolve("damaged-" + i + ".gguf");
            BackendStartException e = assertThrows(BackendStartException.class,
                    () -> BACKEND.start(ModelSpec.builder("damaged", file).build(), BackendContext.of(Settings.empty())));
            assertInstanceOf(StartFailure.ModelInvalid.class, e.failure(), e.getMessage());
            refused++;
        }
        assertTrue(refused >= 10, "enough damaged files were tried: " + refused);
        assertTrue(session.chat(request("still alive", 2)).usage().completionTokens() >= 1, "the JVM and the model survive");
    }

    private static Path write(byte[] bytes, int i) throws java.io.IOException {
        return Files.write(dir.resolve("damaged-" + i + ".gguf"), bytes);
    }

    @Test
    void agentTrimsTheConversationToTheRealContext() throws Exception {
        List<AgentEvent> events = new ArrayList<>();
        // Same file and settings as the class's session: the loaded model is shared, as in production.
        try (Agent agent = Agent.builder().settings(Settings.of(Map.of())).spec(spec).backend("llamacpp")
                .maxTokens(16).listener(events::add).start()) {
            for (int i = 0; i < 8; i++) {
                ChatResponse r = agent.ask("turn " + i + " says something of moderate length");
                assertTrue(r.usage().promptTokens() + r.usage().completionTokens() <= spec.contextSize(),
                        "turn " + i + ": " + r.usage());
            }
            assertTrue(events.stream().anyMatch(e -> e instanceof AgentEvent.TurnFinished
                    && ((AgentEvent.TurnFinished) e).droppedMessages() > 0), "old turns were dropped");
            // Trimmed exchanges are forgotten: the conversation stays bounded (whole exchanges only).
            assertTrue(agent.history().size() < 16, "the history is bounded: " + agent.history().size());
            assertEquals(0, agent.history().size() % 2, "whole exchanges");
        }
    }
}
