package org.snowcrash.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.JsonSchema;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.Usage;

class AnswerCheckTest {

    private static final ChatRequest TOOLS = ChatRequest.of(List.of(ChatMessage.user("go")), 32)
            .withTools(List.of(RobotTools.MOVE, RobotTools.TURN), ToolChoice.AUTO);

    private static ChatResponse calls(ToolCall... c) {
        return new ChatResponse("", FinishReason.TOOL_CALLS, new Usage(1, 1), Duration.ZERO, List.of(c), "");
    }

    private static ChatResponse text(String t, FinishReason f) {
        return new ChatResponse(t, f, new Usage(1, 1), Duration.ZERO);
    }

    @Test
    void aValidCallPasses() {
        assertEquals(Optional.empty(), AnswerCheck.problem(TOOLS, calls(new ToolCall("c", "move", "{\"direction\":\"forward\",\"meters\":2}"))));
    }

    @Test
    void argumentsAgainstTheSchemaAreChecked() {
        String what = AnswerCheck.problem(TOOLS, calls(new ToolCall("c", "move", "{\"direction\":\"up\",\"meters\":\"two\"}")))
                .orElseThrow().what();
        assertTrue(what.startsWith("move: "), what);
        assertTrue(what.contains("meters"), what);
        assertTrue(what.contains("direction"), what);
    }

    @Test
    void callsToToolsNotOfferedOrNotChosenAreRefused() {
        assertTrue(AnswerCheck.problem(TOOLS, calls(new ToolCall("c", "fly", "{}"))).orElseThrow().what().contains("not among"));
        ChatRequest named = TOOLS.withTools(TOOLS.tools(), ToolChoice.named("turn"));
        assertTrue(AnswerCheck.problem(named, calls(new ToolCall("c", "move", "{\"direction\":\"forward\",\"meters\":2}")))
                .orElseThrow().what().contains("asks for turn"));
        ChatRequest none = TOOLS.withTools(TOOLS.tools(), ToolChoice.NONE);
        assertTrue(AnswerCheck.problem(none, calls(new ToolCall("c", "move", "{\"direction\":\"forward\",\"meters\":2}"))).isPresent());
    }

    @Test
    void textWhereACallIsRequiredIsRefused() {
        ChatRequest required = TOOLS.withTools(TOOLS.tools(), ToolChoice.REQUIRED);
        ChatFailure.InvalidAnswer p = AnswerCheck.problem(required, text("I will not.", FinishReason.STOP)).orElseThrow();
        assertTrue(p.what().contains("asks for a call"), p.what());
        assertEquals(Optional.empty(), AnswerCheck.problem(TOOLS, text("Hello!", FinishReason.STOP)));
    }

    @Test
    void parallelCallsWhenNotAllowedAreRefused() {
        ChatRequest single = TOOLS.withParallelToolCalls(false);
        ToolCall a = new ToolCall("a", "move", "{\"direction\":\"forward\",\"meters\":2}");
        ToolCall b = new ToolCall("b", "turn", "{\"direction\":\"left\",\"degrees\":9}");
        assertTrue(AnswerCheck.problem(single, calls(a, b)).isPresent());
        assertEquals(Optional.empty(), AnswerCheck.problem(TOOLS, calls(a, b)));
    }

    @Test
    void jsonAnswersAreCheckedAgainstTheirSchema() {
        JsonSchema seen = JsonSchema.of("{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\"}},\"required\":[\"count\"]}");
        ChatRequest r = ChatRequest.of(List.of(ChatMessage.user("count")), 32).withResponseFormat(ResponseFormat.jsonSchema("seen", seen));
        assertEquals(Optional.empty(), AnswerCheck.problem(r, text("{\"count\":3}", FinishReason.STOP)));
        assertTrue(AnswerCheck.problem(r, text("{\"count\":\"three\"}", FinishReason.STOP)).orElseThrow().what().startsWith("seen: "));
        assertTrue(AnswerCheck.problem(r, text("three", FinishReason.STOP)).isPresent());
        assertTrue(AnswerCheck.problem(r, text("{\"count\":", FinishReason.LENGTH)).orElseThrow().what().contains("token limit"));
        ChatRequest obj = r.withResponseFormat(ResponseFormat.JSON_OBJECT);
        assertEquals(Optional.empty(), AnswerCheck.problem(obj, text("{\"anything\":[1,2]}", FinishReason.STOP)));
        assertTrue(AnswerCheck.problem(obj, text("[1,2]", FinishReason.STOP)).isPresent());
    }

    @Test
    void aCancelledAnswerIsNotJudged() {
        ChatRequest required = TOOLS.withTools(TOOLS.tools(), ToolChoice.REQUIRED);
        assertEquals(Optional.empty(), AnswerCheck.problem(required, text("I", FinishReason.CANCELLED)));
    }
}
