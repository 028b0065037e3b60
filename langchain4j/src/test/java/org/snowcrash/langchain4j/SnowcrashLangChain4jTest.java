package org.snowcrash.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.testkit.TinyLlama;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;

/** LangChain4j's own API against the real in-process backend. */
class SnowcrashLangChain4jTest {

    private static RunningModel running;
    private static SnowcrashChatModel chatModel;
    private static SnowcrashStreamingChatModel streamingModel;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("lc4j");
        Path file = dir.resolve("demo.gguf");
        TinyLlama.demo().write(file);
        ModelSpec spec = ModelSpec.builder("demo", file).contextSize(512).gpuLayers(0).build();
        running = RunningModel.builder().settings(Settings.empty()).spec(spec).backend("llamacpp").start();
        assertEquals("llamacpp", running.info().backendId());
        ChatRequestParameters defaults = ChatRequestParameters.builder().maxOutputTokens(12).build();
        chatModel = SnowcrashChatModel.builder().runningModel(running).defaultRequestParameters(defaults).build();
        streamingModel = SnowcrashStreamingChatModel.builder().runningModel(running).defaultRequestParameters(defaults).build();
    }

    @AfterAll
    static void stop() {
        running.close();
    }

    private static ChatRequest request(String text, int max) {
        return ChatRequest.builder().messages(SystemMessage.from("Be brief."), UserMessage.from(text))
                .maxOutputTokens(max).temperature(0.0).build();
    }

    /** Collects what a streaming handler is told. */
    static final class Collector implements StreamingChatResponseHandler {
        final List<String> partials = new CopyOnWriteArrayList<>();
        final CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        final AtomicInteger completions = new AtomicInteger();
        volatile int cancelAt = -1;

        @Override
        public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
            partials.add(partial.text());
            if (partials.size() == cancelAt) {
                context.streamingHandle().cancel();
            }
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            completions.incrementAndGet();
            done.complete(response);
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }
    }

    @Test
    void blockingChatMapsMessagesLimitsAndUsage() {
        ChatModel model = chatModel;
        ChatResponse r = model.chat(request("hello", 8));
        assertNotNull(r.aiMessage().text());
        assertTrue(r.tokenUsage().inputTokenCount() > 10, r.tokenUsage().toString());
        assertTrue(r.tokenUsage().outputTokenCount() >= 1 && r.tokenUsage().outputTokenCount() <= 8, r.tokenUsage().toString());
        if (r.finishReason() == FinishReason.LENGTH) {
            assertEquals(8, r.tokenUsage().outputTokenCount());
        }
        assertEquals("demo", r.modelName());
        assertNotNull(model.chat("plain string API"));
    }

    @Test
    void streamingDeliversPartialsAndTheCompleteResponse() throws Exception {
        StreamingChatModel model = streamingModel;
        chatModel.chat(request("hello", 10)); // warm the prompt cache, so both requests take the same path
        Collector c = new Collector();
        model.chat(request("hello", 10), c);
        ChatResponse r = c.done.get(60, TimeUnit.SECONDS);
        assertTrue(c.partials.size() > 1, "several partial responses");
        assertEquals(r.aiMessage().text(), String.join("", c.partials));
        assertEquals(chatModel.chat(request("hello", 10)).aiMessage().text(), r.aiMessage().text(),
                "greedy streaming and blocking agree");
        assertEquals(1, c.completions.get());
    }

    @Test
    void cancellingThroughTheStreamingHandleStopsGeneration() throws Exception {
        // The stream's own end is the event: an executor that signals when the streaming task has
        // returned, so "no completion" is checked after the stream is over, not after a guess of time.
        CountDownLatch streamEnded = new CountDownLatch(1);
        Executor signalling = task -> new Thread(() -> {
            try {
                task.run();
            } finally {
                streamEnded.countDown();
            }
        }, "lc4j-cancel-test").start();
        SnowcrashStreamingChatModel model = SnowcrashStreamingChatModel.builder().runningModel(running)
                .defaultRequestParameters(ChatRequestParameters.builder().maxOutputTokens(12).build()).executor(signalling).build();
        Collector c = new Collector();
        c.cancelAt = 2;
        model.chat(request("a long story", 200), c);
        assertTrue(streamEnded.await(60, TimeUnit.SECONDS), "the cancelled stream ended");
        assertFalse(c.done.isDone(), "a cancelled stream neither completes nor fails");
        assertEquals(0, c.completions.get());
        assertTrue(c.partials.size() >= 2 && c.partials.size() <= 3, "stopped soon after cancel: " + c.partials.size());
        assertNotNull(chatModel.chat(request("still there?", 4)).aiMessage().text());
    }

    @Test
    void errorsArriveThroughOnErrorTyped() throws Exception {
        Collector c = new Collector();
        streamingModel.chat(request("word ".repeat(600), 8), c);
        Exception e = assertThrows(Exception.class, () -> c.done.get(60, TimeUnit.SECONDS));
        ChatException chat = assertInstanceOf(ChatException.class, e.getCause());
        assertInstanceOf(ChatFailure.ContextOverflow.class, chat.failure());
        assertThrows(ChatException.class, () -> chatModel.chat(request("word ".repeat(600), 8)));
    }

    interface Robot {
        @dev.langchain4j.service.SystemMessage("You are the voice of a small robot. Be brief.")
        String chat(String message);
    }

    @Test
    void anAiServiceWithMemoryRunsOnSnowcrash() {
        ChatModel snowcrash = chatModel;
        List<ChatRequest> seen = new CopyOnWriteArrayList<>();
        ChatModel recording = new ChatModel() {
            @Override
            public ChatResponse doChat(ChatRequest request) {
                seen.add(request);
                return snowcrash.chat(request);
            }
        };
        Robot robot = AiServices.builder(Robot.class)
                .chatModel(recording)
                .chatMemory(MessageWindowChatMemory.withMaxMessages(6))
                .build();
        String first = robot.chat("What do you see?");
        String second = robot.chat("And now?");
        assertNotNull(first);
        assertNotNull(second);
        // The second request carries the system prompt, the first exchange (from memory) and the new question.
        assertEquals(2, seen.size());
        List<dev.langchain4j.data.message.ChatMessage> m = seen.get(1).messages();
        assertEquals(4, m.size(), m.toString());
        assertInstanceOf(SystemMessage.class, m.get(0));
        assertEquals("What do you see?", ((UserMessage) m.get(1)).singleText());
        assertEquals(first, ((dev.langchain4j.data.message.AiMessage) m.get(2)).text());
        assertEquals("And now?", ((UserMessage) m.get(3)).singleText());
    }
}
