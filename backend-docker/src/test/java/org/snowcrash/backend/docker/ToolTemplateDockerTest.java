package org.snowcrash.backend.docker;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolChoice;

/**
 * The native tool path with a template that renders tools (Hermes-style {@code <tools>} and
 * {@code <tool_call>}, as tool-capable models ship, passed by {@code --chat-template-file}): the
 * server writes the tools and the tool turns into the prompt, the count says so exactly, and a forced
 * call still holds although this server does not force one itself. (The request kinds one by one,
 * blocking and streamed, are {@link TinyLlamaToolsDockerTest}'s: the same route with another template.)
 */
@RequiresDocker
class ToolTemplateDockerTest {

    @TempDir
    static Path dir;
    private static RunningModel model;

    @BeforeAll
    static void start() throws Exception {
        try (InputStream in = ToolTemplateDockerTest.class.getResourceAsStream("/hermes-tools.jinja")) {
            Files.write(dir.resolve("hermes-tools.jinja"), in.readAllBytes());
        }
        model = ToolsOnServer.startTinyNative(dir, "tools-template",
                "--chat-template-file", ServerContainer.MODELS_MOUNT + "/hermes-tools.jinja");
    }

    @AfterAll
    static void stop() {
        DockerTestSupport.closeAndRemoveOwnContainers(model);
    }

    /** The template writes the tools into the prompt, and the count is the server's own. */
    @Test
    void countsTheToolsTheTemplateRenders() {
        ChatRequest r = ToolsOnServer.ask("Move forward 2 meters.", 1).withTools(ToolsOnServer.TOOLS, ToolChoice.NONE);
        int counted = model.countPromptTokens(r.messages(), ToolsOnServer.TOOLS);
        int plain = model.countPromptTokens(r.messages());
        assertTrue(counted > plain + 200, "two tools' schemas in byte tokens: " + counted + " vs " + plain);
        assertEquals(model.chat(r).usage().promptTokens(), counted);
    }

    /** The call and its result reach the prompt through the template ({@code <tool_call>}, {@code <tool_response>}). */
    @Test
    void rendersTheCallAndItsResult() {
        ToolCall call = new ToolCall("call_grab1", "grab", "{\"object\":\"cup\"}");
        List<ChatMessage> turns = List.of(ChatMessage.user("Grab the cup."), ChatMessage.assistant("", List.of(call)),
                ChatMessage.toolResult("call_grab1", "holding the cup"));
        int counted = model.countPromptTokens(turns, ToolsOnServer.TOOLS);
        assertEquals(model.chat(ChatRequest.of(turns, 1).withTemperature(0).withTools(ToolsOnServer.TOOLS, ToolChoice.NONE))
                .usage().promptTokens(), counted);
        int userOnly = model.countPromptTokens(turns.subList(0, 1), ToolsOnServer.TOOLS);
        assertTrue(counted - userOnly > "<tool_call>grab{\"object\":\"cup\"}</tool_call><tool_response>holding the cup".length(),
                counted + " vs " + userOnly);
    }

    /** The server renders the tools and does not force a call; the call's schema does. */
    @Test
    void aNamedCallHolds() throws Exception {
        ChatResponse r = model.chat(ToolsOnServer.ask("Hello.", 400).withTools(ToolsOnServer.TOOLS, ToolChoice.named("grab")));
        assertEquals(FinishReason.TOOL_CALLS, r.finishReason(), r.toString());
        assertEquals("grab", r.toolCalls().get(0).name());
        assertTrue(ToolsOnServer.json(r.toolCalls().get(0).arguments()).has("object"));
    }
}
