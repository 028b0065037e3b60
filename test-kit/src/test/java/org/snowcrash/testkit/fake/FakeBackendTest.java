package org.snowcrash.testkit.fake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.api.StartFailure;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolCallDelta;
import org.snowcrash.api.Usage;

/** What the test trees rely on when they use the fake backend: each knob does what it says. */
class FakeBackendTest {

    @TempDir
    Path dir;

    private final BackendContext context = BackendContext.of(Settings.empty());

    private static ChatRequest ask(String text, int maxTokens) {
        return ChatRequest.of(List.of(ChatMessage.user(text)), maxTokens);
    }

    @Test
    void echoesWordByWordStopsAtMaxTokensAndCountsPromptsByCharacter() throws Exception {
        FakeBackend b = FakeBackend.of("f", 3, FakeBackend.Mode.WORKS);
        FakeSession s = (FakeSession) b.start(FakeBackend.spec(dir, 512), context);
        List<String> pieces = new ArrayList<>();
        ChatResponse r = s.stream(ask("a b c", 16), pieces::add, new Cancellation());
        assertEquals(List.of("echo", " a", " b", " c"), pieces);
        assertEquals(FinishReason.STOP, r.finishReason());
        assertEquals(new Usage(5 + 4, 4), r.usage());
        assertEquals(FinishReason.LENGTH, s.chat(ask("a b c", 2)).finishReason());
        assertEquals(2, s.requests().size());
        assertEquals(1, b.starts());
        assertEquals(1, b.starts("m"));
    }

    @Test
    void modesFailStartsTheWayTheySay() throws Exception {
        ModelSpec spec = FakeBackend.spec(dir, 512);
        FakeBackend b = FakeBackend.of("f", 3, FakeBackend.Mode.START_FAILS);
        BackendStartException e = assertThrows(BackendStartException.class, () -> b.start(spec, context));
        assertInstanceOf(StartFailure.Exited.class, e.failure());
        b.mode(FakeBackend.Mode.USER_ERROR);
        assertInstanceOf(StartFailure.ModelInvalid.class, assertThrows(BackendStartException.class, () -> b.start(spec, context)).failure());
        b.mode(FakeBackend.Mode.AVAILABILITY_THROWS);
        assertThrows(IllegalStateException.class, () -> b.availability(context));
        b.mode(FakeBackend.Mode.UNAVAILABLE);
        assertFalse(b.availability(context).isAvailable());
        b.mode(FakeBackend.Mode.WORKS);
        b.failStarts("m");
        assertThrows(BackendStartException.class, () -> b.start(spec, context));
        b.healStarts("m");
        b.start(spec, context).close();
        assertEquals(4, b.starts(), "failed starts count too");
    }

    @Test
    void failuresAndDeathsComeOnDemandAndOnce() throws Exception {
        FakeBackend b = FakeBackend.builder("f").reply(FakeBackend.Reply.SAYS).build();
        FakeSession s = (FakeSession) b.start(FakeBackend.spec(dir, 512), context);
        s.failNext(new ChatFailure.ServerError(500, "", "boom"));
        assertInstanceOf(ChatFailure.ServerError.class, assertThrows(ChatException.class, () -> s.chat(ask("x", 4))).failure());
        assertEquals("m says: x", s.chat(ask("x", 4)).text());
        b.dieOnNextRequest("m");
        assertInstanceOf(ChatFailure.BackendGone.class, assertThrows(ChatException.class, () -> s.chat(ask("x", 4))).failure());
        assertFalse(s.isAlive());
        assertFalse(b.stillToDie("m"));
        s.close();
        assertTrue(s.closed());
        assertEquals(List.of(), b.openModels().stream().toList());
    }

    @Test
    void aScriptedAnswerIsStreamedAsABackendStreamsItWithTheCountedPrompt() throws Exception {
        FakeBackend b = FakeBackend.builder("f").counter(PromptCounter.fixed(7)).build();
        FakeSession s = (FakeSession) b.start(FakeBackend.spec(dir, 512), context);
        ToolCall call = new ToolCall("c1", "move", "{\"m\":2}");
        s.script(new ChatResponse("", FinishReason.TOOL_CALLS, new Usage(1, 3), Duration.ofMillis(1), List.of(call), "think"));
        List<String> seen = new ArrayList<>();
        ChatResponse r = s.stream(ask("go", 8), new TokenSink() {
            @Override
            public void accept(String piece) {
                seen.add("text:" + piece);
            }

            @Override
            public void toolCall(ToolCallDelta delta) {
                seen.add("call:" + delta.index() + ":" + delta.name() + ":" + delta.arguments());
            }

            @Override
            public void reasoning(String piece) {
                seen.add("reasoning:" + piece);
            }
        }, new Cancellation());
        assertEquals(List.of("reasoning:think", "call:0:move:{\"m", "call:0::\":2}"), seen);
        assertEquals(new Usage(7, 3), r.usage());
        assertEquals(List.of(call), r.toolCalls());
        assertEquals("echo again", s.chat(ask("again", 8)).text(), "the script is used up");
    }

    @Test
    void theTemplateCounterRefusesAFullContextAndWordsFinishByLength() throws Exception {
        FakeBackend b = FakeBackend.builder("f").counter(PromptCounter.template(1, 0)).reply(FakeBackend.Reply.WORDS)
                .enforceContext().build();
        FakeSession s = (FakeSession) b.start(FakeBackend.spec(dir, 12), context);
        ChatResponse r = s.chat(ask("one two", 3));
        assertEquals("w0 w1 w2", r.text());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(1 + 2 + 3 + 2, r.usage().promptTokens());
        assertInstanceOf(ChatFailure.ContextOverflow.class,
                assertThrows(ChatException.class, () -> s.chat(ask("one two three four five six seven", 3))).failure());
        assertEquals(1, b.requests().size(), "a refused prompt is not recorded as answered");
        int before = b.countCalls();
        assertEquals(1 + 2 + 3 + 1, s.countPromptTokens(List.of(ChatMessage.user("hello"))));
        assertEquals(before + 1, b.countCalls(), "counting is counted");
    }

    @Test
    void aHeldRequestWaitsUntilReleased() throws Exception {
        FakeBackend b = FakeBackend.builder("f").build();
        FakeSession s = (FakeSession) b.start(FakeBackend.spec(dir, 512), context);
        Hold hold = b.holdRequests("m");
        CompletableFuture<ChatResponse> held = CompletableFuture.supplyAsync(() -> s.chat(ask("x", 4)));
        hold.awaitEntered(1);
        assertFalse(held.isDone(), "inside, held");
        s.close();
        assertEquals(List.of("m"), b.closedWhileBusy());
        hold.release();
        // Released into a session closed meanwhile, the request fails as closed.
        Exception e = assertThrows(Exception.class, () -> held.get(10, TimeUnit.SECONDS));
        assertInstanceOf(ChatFailure.Closed.class, assertInstanceOf(ChatException.class, e.getCause()).failure());
    }
}
