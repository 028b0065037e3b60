package org.snowcrash.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.testkit.docker.LlamaServerContainer;
import org.snowcrash.testkit.docker.RequiresLlamaServer;

import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;

/**
 * {@link OpenAiClient.Builder#connectionAhead}, against a real llama-server reached through its
 * published port (docker-proxy), which ends the connection after every streamed answer.
 */
@RequiresLlamaServer
class ConnectionAheadTest {

    private static final String KEY = "ahead-key";
    private static Path dir;
    private static Path model;

    @BeforeAll
    static void model() throws Exception {
        dir = Files.createTempDirectory("connection-ahead");
        model = dir.resolve("demo.gguf");
        TinyLlama.demo().write(model);
    }

    @AfterAll
    static void clean() throws Exception {
        LlamaServerContainer.removeOwn();
        Files.deleteIfExists(model);
        Files.deleteIfExists(dir);
    }

    /** What the client did on the wire: connections opened for chat requests, opening requests that ended. */
    private static final class Wire extends EventListener {
        final AtomicInteger chatConnects = new AtomicInteger();
        final Semaphore opened = new Semaphore(0);

        @Override
        public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
            if (call.request().url().encodedPath().endsWith("/chat/completions")) {
                chatConnects.incrementAndGet();
            }
        }

        @Override
        public void callEnd(Call call) {
            if (call.request().url().encodedPath().equals("/health")) {
                opened.release(); // its connection is back in the pool before this event
            }
        }

        void awaitOpened() throws InterruptedException {
            assertTrue(opened.tryAcquire(30, TimeUnit.SECONDS), "a connection was opened ahead after the stream");
        }
    }

    private static OpenAiClient client(LlamaServerContainer server, Wire wire) {
        return OpenAiClient.builder(new OkHttpClient.Builder().eventListener(wire).build(), "docker", server.url())
                .apiKey(KEY).where("model demo, test container").connectionAhead(Duration.ofSeconds(2)).build();
    }

    private static ChatResponse stream(OpenAiClient client) {
        return client.stream(ChatRequest.of(List.of(ChatMessage.user("hello robot")), 8), p -> { }, new Cancellation());
    }

    @Test
    void eachStreamAfterTheFirstRunsOnTheConnectionOpenedAheadAndEachIsGeneratedOnce() throws Exception {
        try (LlamaServerContainer server = LlamaServerContainer.of(model).alias("demo").apiKey(KEY).start()) {
            Wire wire = new Wire();
            OpenAiClient client = client(server, wire);
            int rounds = 12;
            for (int i = 0; i < rounds; i++) {
                ChatResponse r = stream(client);
                assertTrue(r.usage().completionTokens() > 0, "answered: " + r);
                wire.awaitOpened();
            }
            assertEquals(1, wire.chatConnects.get(), "only the first stream connected itself");
            // Never sent on a connection the server had ended, and never sent twice.
            assertEquals(rounds, server.generations());
        }
    }

    @Test
    void aConnectionOpenedAheadToAServerThatThenDiesEndsTheNextRequestTyped() throws Exception {
        Wire wire = new Wire();
        OpenAiClient client;
        try (LlamaServerContainer server = LlamaServerContainer.of(model).alias("demo").apiKey(KEY).start()) {
            client = client(server, wire);
            stream(client);
            wire.awaitOpened();
        } // the container is killed and removed, as a supervisor's stop would; its port stays unanswered
        ChatException e = assertThrows(ChatException.class, () -> stream(client));
        assertInstanceOf(ChatFailure.BackendGone.class, e.failure(), e.getMessage());
    }
}
