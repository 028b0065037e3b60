package org.snowcrash.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.testkit.fake.FakeBackend;
import org.snowcrash.testkit.fake.FakeSession;
import org.snowcrash.testkit.fake.PromptCounter;
import org.snowcrash.registry.BackendRegistry;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * The LangChain4j template with Snowcrash underneath: listeners hear request, response and error
 * from both models, default parameters reach the backend, unsupported ones are refused, and a
 * backend that died is restarted for the next LangChain4j call. A fake backend causes the faults.
 */
class ListenersAndRecoveryTest {

    @TempDir
    Path dir;

    /**
     * The fake backend of this module's tests: id {@code echo}, answers "echo" and the words of the
     * last message, every prompt three tokens, declaring these capabilities.
     */
    static FakeBackend echo(Set<Capability> capabilities) {
        return FakeBackend.builder("echo").priority(0).capabilities(capabilities).counter(PromptCounter.fixed(3)).build();
    }

    private final FakeBackend backend = echo(Set.of());
    private final List<LifecycleEvent> lifecycle = new CopyOnWriteArrayList<>();
    private final Recording listener = new Recording();
    private RunningModel running;
    private SnowcrashChatModel chat;
    private SnowcrashStreamingChatModel streaming;

    /** Writes what it hears as short lines; the attribute set on request must be there on response or error. */
    static final class Recording implements ChatModelListener {
        final List<String> heard = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onRequest(ChatModelRequestContext c) {
            c.attributes().put("call", "mine");
            heard.add("request max=" + c.chatRequest().maxOutputTokens() + " model=" + c.chatRequest().modelName());
        }

        @Override
        public void onResponse(ChatModelResponseContext c) {
            heard.add("response " + c.chatResponse().aiMessage().text() + " " + c.attributes().get("call"));
        }

        @Override
        public void onError(ChatModelErrorContext c) {
            errors.add(c.error());
            heard.add("error " + c.error().getClass().getSimpleName() + " " + c.attributes().get("call"));
        }
    }

    @BeforeEach
    void start() throws Exception {
        Path file = dir.resolve("m.gguf");
        TinyLlama.demo().write(file);
        running = RunningModel.builder().settings(Settings.empty()).spec(ModelSpec.builder("m", file).build())
                .discovery(BackendRegistry.order(List.of(backend), List.of(), Settings.empty()))
                .listener(lifecycle::add).start();
        ChatRequestParameters defaults = ChatRequestParameters.builder().maxOutputTokens(7).build();
        chat = SnowcrashChatModel.builder().runningModel(running).defaultRequestParameters(defaults)
                .listeners(List.of(listener)).build();
        streaming = SnowcrashStreamingChatModel.builder().runningModel(running).defaultRequestParameters(defaults)
                .listeners(List.of(listener)).build();
    }

    @AfterEach
    void stop() {
        running.close();
    }

    private static ChatRequest ask(String text) {
        return ChatRequest.builder().messages(UserMessage.from(text)).build();
    }

    private ChatResponse stream(ChatRequest request) throws Exception {
        SnowcrashLangChain4jTest.Collector c = new SnowcrashLangChain4jTest.Collector();
        streaming.chat(request, c);
        return c.done.get(30, TimeUnit.SECONDS);
    }

    @Test
    void theBlockingModelsListenersHearRequestResponseAndError() {
        assertEquals("echo a b", chat.chat(ask("a b")).aiMessage().text());
        assertEquals(7, backend.last().lastRequest().maxTokens(), "the default parameters reached the backend");
        chat.chat(ChatRequest.builder().messages(UserMessage.from("c")).maxOutputTokens(3).build());
        assertEquals(3, backend.last().lastRequest().maxTokens(), "the request's own value wins");
        backend.last().failNext(new ChatFailure.ServerError(500, "", "boom"));
        ChatException e = assertThrows(ChatException.class, () -> chat.chat(ask("d")));
        assertEquals(List.of(
                "request max=7 model=m", "response echo a b mine",
                "request max=3 model=m", "response echo c mine",
                "request max=7 model=m", "error ChatException mine"), listener.heard);
        assertSame(e, listener.errors.get(0));
    }

    @Test
    void theStreamingModelsListenersHearRequestResponseAndError() throws Exception {
        assertEquals("echo a b", stream(ask("a b")).aiMessage().text());
        assertEquals(7, backend.last().lastRequest().maxTokens());
        backend.last().failNext(new ChatFailure.ServerError(500, "", "boom"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> stream(ask("c")));
        assertInstanceOf(ChatFailure.ServerError.class, assertInstanceOf(ChatException.class, e.getCause()).failure());
        assertEquals(List.of("request max=7 model=m", "response echo a b mine",
                "request max=7 model=m", "error ChatException mine"), listener.heard);
        assertSame(e.getCause(), listener.errors.get(0));
    }

    @Test
    void whatSnowcrashCannotHonourIsRefusedNotDropped() throws Exception {
        assertEquals(java.util.Set.of(), chat.supportedCapabilities());
        assertEquals(java.util.Set.of(), streaming.supportedCapabilities());
        ChatRequest topK = ChatRequest.builder().messages(UserMessage.from("x")).topK(5).build();
        assertThrows(UnsupportedFeatureException.class, () -> chat.chat(topK));
        ExecutionException e = assertThrows(ExecutionException.class, () -> stream(topK));
        assertInstanceOf(UnsupportedFeatureException.class, e.getCause());
        assertEquals(List.of("request max=7 model=m", "error UnsupportedFeatureException mine",
                "request max=7 model=m", "error UnsupportedFeatureException mine"), listener.heard);
        assertEquals(null, backend.last().lastRequest(), "nothing reached the backend");
        ChatRequest otherModel = ChatRequest.builder().messages(UserMessage.from("x")).modelName("gpt-4o").build();
        assertThrows(InvalidRequestException.class, () -> chat.chat(otherModel));
        assertThrows(UnsupportedFeatureException.class, () -> SnowcrashChatModel.builder().runningModel(running)
                .defaultRequestParameters(ChatRequestParameters.builder().topP(0.9).build()).build(),
                "defaults are checked when the model is built");
        assertEquals(256, SnowcrashChatModel.builder().runningModel(running).build().defaultRequestParameters().maxOutputTokens());
    }

    @Test
    void aLangChain4jUserGetsARestartedBackendAfterItDied() throws Exception {
        FakeSession dead = backend.last();
        dead.dead(true);
        ChatException e = assertThrows(ChatException.class, () -> chat.chat(ask("one")));
        assertInstanceOf(ChatFailure.BackendGone.class, e.failure());
        assertTrue(lifecycle.stream().anyMatch(ev -> ev instanceof LifecycleEvent.Degraded), lifecycle.toString());
        assertEquals("echo two", stream(ask("two")).aiMessage().text(), "the streaming model is served again");
        assertEquals("echo three", chat.chat(ask("three")).aiMessage().text(), "and so is the blocking one");
        assertEquals(2, backend.starts(), "one restart");
        assertNotSame(dead, backend.last());
        assertTrue(dead.closed(), "the dead session was released");
        assertEquals(2, lifecycle.stream().filter(ev -> ev instanceof LifecycleEvent.ServedBy).count());
        assertEquals("error ChatException mine", listener.heard.get(1));
    }
}
