package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolCallDelta;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolFormat;
import org.snowcrash.api.Usage;

/**
 * Which way a request goes and how an answer's text is read, for answers a real server gives but
 * not on demand (a cut call, a malformed one). The whole route against llama-server is in the
 * {@code *ToolsDockerTest} classes.
 */
class ToolRouteTest {

    private static ChatRequest ask() {
        return ChatRequest.of(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Grab the cup.")), 32);
    }

    private static ChatResponse answer(String text, FinishReason reason) {
        return new ChatResponse(text, reason, new Usage(10, 5), Duration.ZERO);
    }

    @Test
    void nativeAutoAndPlainRequestsGoAsAsked() {
        ChatRequest r = ask().withTools(ToolsOnServer.TOOLS, ToolChoice.AUTO);
        assertSame(r, ToolRoute.of(r, ToolFormat.NATIVE, "x").sent());
        ChatRequest plain = ask();
        assertSame(plain, ToolRoute.of(plain, ToolFormat.SNOWCRASH, "x").sent());
    }

    @Test
    void snowcrashFormatWritesTheToolsInAndSendsNone() {
        ToolRoute route = ToolRoute.of(ask().withTools(ToolsOnServer.TOOLS, ToolChoice.AUTO), ToolFormat.SNOWCRASH, "x");
        assertEquals(ToolRoute.Mode.SNOWCRASH, route.mode());
        assertTrue(route.sent().tools().isEmpty());
        assertTrue(route.sent().messages().get(0).content().startsWith("Be brief.\nTools:\n- move("), route.sent().messages().get(0).content());
    }

    @Test
    void aForcedCallCarriesTheSchemaOfOneCallOnBothFormats() {
        for (ToolFormat f : ToolFormat.values()) {
            ChatRequest sent = ToolRoute.of(ask().withTools(ToolsOnServer.TOOLS, ToolChoice.named("grab")), f, "x").sent();
            ResponseFormat.JsonSchemaFormat schema = assertInstanceOf(ResponseFormat.JsonSchemaFormat.class, sent.responseFormat());
            assertEquals(ToolRoute.CALL_FORMAT, schema.name());
            assertTrue(schema.schema().json().contains("{\"const\":\"grab\"}"), schema.schema().json());
            assertEquals(f == ToolFormat.NATIVE ? 2 : 0, sent.tools().size(), "native keeps the tools for the template");
        }
    }

    @Test
    void aForcedAnswerWithBlanksBecomesTheCall() {
        ToolRoute route = ToolRoute.of(ask().withTools(ToolsOnServer.TOOLS, ToolChoice.REQUIRED), ToolFormat.NATIVE, "x");
        ChatResponse r = route.read(answer("{ \"name\"\n\n : \"grab\", \"arguments\" : { \"object\" : \"cup\" } }", FinishReason.STOP));
        assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
        assertEquals("grab", r.toolCalls().get(0).name());
        assertEquals("{\"object\":\"cup\"}", r.toolCalls().get(0).arguments());
    }

    @Test
    void aStreamedForcedCallLosesItsBlanksButNotTheSpacesInItsStrings() {
        ToolRoute route = ToolRoute.of(ask().withTools(ToolsOnServer.TOOLS, ToolChoice.REQUIRED), ToolFormat.NATIVE, "x");
        List<ToolCallDelta> deltas = new ArrayList<>();
        ToolRoute.Stream s = route.stream(new TokenSink() {
            @Override
            public void accept(String piece) {
                throw new AssertionError("a call is not text: " + piece);
            }

            @Override
            public void toolCall(ToolCallDelta d) {
                deltas.add(d);
            }
        });
        String answer = "{ \"name\" :\n \"grab\",\n  \"arguments\" : {\n \"object\" : \"red \\\" cup\" }\n }";
        for (int i = 0; i < answer.length(); i += 3) {
            s.sink().accept(answer.substring(i, Math.min(answer.length(), i + 3)));
        }
        ChatResponse r = s.finish(answer(answer, FinishReason.STOP));
        ToolCall call = r.toolCalls().get(0);
        assertEquals("{\"object\":\"red \\\" cup\"}", call.arguments());
        assertEquals(call.id(), deltas.get(0).id());
        assertEquals("grab", deltas.get(0).name());
        assertEquals(call.arguments(), deltas.stream().map(ToolCallDelta::arguments).reduce("", String::concat));
    }

    @Test
    void aSnowcrashCallCutAtTheLimitIsAnInvalidAnswerNotText() {
        ToolRoute route = ToolRoute.of(ask().withTools(ToolsOnServer.TOOLS, ToolChoice.AUTO), ToolFormat.SNOWCRASH, "model demo");
        ChatException e = assertThrows(ChatException.class,
                () -> route.read(answer("{\"name\":\"grab\",\"argu", FinishReason.LENGTH)));
        ChatFailure.InvalidAnswer f = assertInstanceOf(ChatFailure.InvalidAnswer.class, e.failure());
        assertTrue(f.describe().contains("cut at the token limit (32 tokens)"), f.describe());
        assertEquals("text cut", route.read(answer("text cut", FinishReason.LENGTH)).text(), "text cut short is still text");
    }

    @Test
    void aMalformedSnowcrashCallIsAnInvalidAnswerUnlessJsonWasAsked() {
        ChatRequest r = ask().withTools(ToolsOnServer.TOOLS, ToolChoice.AUTO);
        assertThrows(ChatException.class, () -> ToolRoute.of(r, ToolFormat.SNOWCRASH, "x").read(answer("{\"count\":2}", FinishReason.STOP)));
        ChatResponse json = ToolRoute.of(r.withResponseFormat(ResponseFormat.JSON_OBJECT), ToolFormat.SNOWCRASH, "x")
                .read(answer("{\"count\":2}", FinishReason.STOP));
        assertEquals("{\"count\":2}", json.text());
    }

    @Test
    void noneIsNeverReadAsCalls() {
        ChatResponse r = ToolRoute.of(ask().withTools(ToolsOnServer.TOOLS, ToolChoice.NONE), ToolFormat.SNOWCRASH, "x")
                .read(answer("{\"name\":\"grab\",\"arguments\":{\"object\":\"cup\"}}", FinishReason.STOP));
        assertTrue(r.toolCalls().isEmpty());
    }
}
