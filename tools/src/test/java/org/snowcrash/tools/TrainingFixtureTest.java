package org.snowcrash.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolSpec;

/**
 * The demo model was trained on conversations that training/train_demo.py renders in Python. This
 * replays the cases the script wrote (training/tool-prompt-cases.json: tools and API-level messages
 * before rendering, the rendered system/user/assistant messages, the model's greedy answer) through
 * {@link ToolPrompt#render} and requires exactly the script's text, so the model sees in Java what
 * it was trained on; and each answer must read back as the script says (a call line or text).
 */
class TrainingFixtureTest {

    private static final Path FIXTURE = Path.of("../training/tool-prompt-cases.json");

    @Test
    void javaRendersEveryTrainingCaseExactlyAsThePythonScript() throws IOException {
        JsonNode cases = Json.MAPPER.readTree(Files.readString(FIXTURE));
        assertTrue(cases.isArray() && cases.size() > 0, "no cases in " + FIXTURE.toAbsolutePath());
        int n = 0;
        for (JsonNode c : cases) {
            List<ChatMessage> rendered = ToolPrompt.render(messages(c.get("messages")), tools(c.get("tools")));
            List<List<String>> got = new ArrayList<>();
            for (ChatMessage m : rendered) {
                got.add(List.of(m.role().name().toLowerCase(java.util.Locale.ROOT), m.content()));
            }
            List<List<String>> want = new ArrayList<>();
            for (JsonNode m : c.get("rendered")) {
                want.add(List.of(m.get(0).asText(), m.get(1).asText()));
            }
            assertEquals(want, got, "case " + n);
            n++;
        }
    }

    @Test
    void theAnswersThatStartWithABraceAreCallLinesJavaWritesIdentically() throws IOException {
        JsonNode cases = Json.MAPPER.readTree(Files.readString(FIXTURE));
        int calls = 0;
        for (JsonNode c : cases) {
            String answer = c.get("answer").asText();
            assertFalse(answer.isBlank(), "empty answer in " + c);
            if (answer.startsWith("{")) {
                JsonNode call = Json.parse(answer).orElseThrow();
                ToolCall parsed = new ToolCall("call_x", call.get("name").asText(), Json.compact(call.get("arguments")));
                assertEquals(answer, ToolPrompt.callLine(parsed));
                calls++;
            }
        }
        assertTrue(calls > 0, "the fixture has no call answers");
    }

    private static List<ToolSpec> tools(JsonNode tools) {
        List<ToolSpec> out = new ArrayList<>();
        for (JsonNode t : tools) {
            out.add(ToolSpec.of(t.get("name").asText(), t.path("description").asText(""), Json.compact(t.get("parameters"))));
        }
        return out;
    }

    private static List<ChatMessage> messages(JsonNode messages) {
        List<ChatMessage> out = new ArrayList<>();
        for (JsonNode m : messages) {
            String role = m.get("role").asText();
            String content = m.path("content").asText("");
            switch (role) {
                case "system" -> out.add(ChatMessage.system(content));
                case "user" -> out.add(ChatMessage.user(content));
                case "tool" -> out.add(ChatMessage.toolResult(m.get("tool_call_id").asText(), content));
                case "assistant" -> {
                    List<ToolCall> calls = new ArrayList<>();
                    for (JsonNode call : m.path("tool_calls")) {
                        calls.add(new ToolCall(call.get("id").asText(), call.get("name").asText(), call.get("arguments").asText()));
                    }
                    out.add(calls.isEmpty() ? ChatMessage.assistant(content) : ChatMessage.assistant(content, calls));
                }
                default -> throw new IllegalArgumentException("unknown role '" + role + "' in " + FIXTURE);
            }
        }
        return out;
    }
}
