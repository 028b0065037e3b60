package org.snowcrash.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolSpec;

class ToolPromptTest {

    @Test
    void theRobotToolsRenderAsTheFormatDocumentShowsThem() {
        List<ChatMessage> out = ToolPrompt.render(
                List.of(ChatMessage.system("You are Snowcrash, a small robot."), ChatMessage.user("Go back one meter.")),
                List.of(RobotTools.MOVE, RobotTools.TURN));
        assertEquals(List.of(
                ChatMessage.system("You are Snowcrash, a small robot.\nTools:\n"
                        + "- move(direction: forward|backward, meters: number): Drive straight.\n"
                        + "- turn(direction: left|right, degrees: number): Turn in place.\n"
                        + "Call a tool by answering {\"name\":\"<tool>\",\"arguments\":{<arguments>}}, one call per line."),
                ChatMessage.user("Go back one meter.")), out);
    }

    @Test
    void withoutASystemMessageTheToolsAreTheSystemMessage() {
        List<ChatMessage> out = ToolPrompt.render(List.of(ChatMessage.user("hi")), List.of(RobotTools.MOVE));
        assertEquals(ChatMessage.Role.SYSTEM, out.get(0).role());
        assertEquals("Tools:\n- move(direction: forward|backward, meters: number): Drive straight.\n" + ToolPrompt.CALL_INSTRUCTION,
                out.get(0).content());
        assertEquals(ChatMessage.user("hi"), out.get(1));
    }

    @Test
    void optionalParametersConstantsNumberEnumsTypeListsAndNoDescription() {
        ToolSpec t = ToolSpec.of("set", "", "{\"type\":\"object\",\"properties\":{"
                + "\"level\":{\"enum\":[1,2,3]},\"mode\":{\"const\":\"fast\"},\"note\":{\"type\":[\"string\",\"null\"]},\"x\":{}},"
                + "\"required\":[\"level\"]}");
        assertEquals("set(level: 1|2|3, mode?: \"fast\", note?: string|null, x?: any)", ToolPrompt.signature(t));
        assertEquals("Tools:\n- set(level: 1|2|3, mode?: \"fast\", note?: string|null, x?: any)\n" + ToolPrompt.CALL_INSTRUCTION,
                ToolPrompt.toolsBlock(List.of(t)));
    }

    @Test
    void callsBecomeCompactLinesAndConsecutiveResultsOneUserMessage() {
        ToolCall a = new ToolCall("call_1", "move", "{ \"direction\": \"forward\", \"meters\": 2 }");
        ToolCall b = new ToolCall("call_2", "turn", "{\"direction\":\"left\",\"degrees\":90}");
        List<ChatMessage> out = ToolPrompt.render(List.of(
                ChatMessage.user("Forward 2 m, then left."),
                ChatMessage.assistant("On my way.", List.of(a, b)),
                ChatMessage.toolResult("call_1", "ok"),
                ChatMessage.toolResult("call_2", "error: blocked"),
                ChatMessage.assistant("I moved but could not turn.")), List.of());
        assertEquals(List.of(
                ChatMessage.user("Forward 2 m, then left."),
                ChatMessage.assistant("On my way.\n{\"name\":\"move\",\"arguments\":{\"direction\":\"forward\",\"meters\":2}}\n"
                        + "{\"name\":\"turn\",\"arguments\":{\"direction\":\"left\",\"degrees\":90}}"),
                ChatMessage.user("Result of move: ok\nResult of turn: error: blocked"),
                ChatMessage.assistant("I moved but could not turn.")), out);
    }
}
