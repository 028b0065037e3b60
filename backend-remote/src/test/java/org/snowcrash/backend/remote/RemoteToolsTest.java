package org.snowcrash.backend.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.JsonSchema;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.Settings;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolSpec;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.testkit.docker.LlamaServerContainer;
import org.snowcrash.testkit.docker.RequiresLlamaServer;

/**
 * Tools and structured output through the remote backend to a real llama-server (Debian's, with a
 * Hermes-style template that renders tools, as tool-capable models ship): what the backend passes
 * through, what the server does with it, and what the runtime makes of an answer that breaks the
 * request. The remote backend adds no enforcement of its own (the server is not ours to steer):
 * this server holds a JSON schema, renders the tools and the tool turns, and does not force a call.
 */
@RequiresLlamaServer
class RemoteToolsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ToolSpec GRAB = ToolSpec.of("grab", "Grab an object",
            "{\"type\":\"object\",\"properties\":{\"object\":{\"type\":\"string\"}},\"required\":[\"object\"]}");
    private static final JsonSchema COUNT = JsonSchema.of("{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\","
            + "\"minimum\":0,\"maximum\":9}},\"required\":[\"count\"],\"additionalProperties\":false}");

    @TempDir
    static Path dir;
    private static LlamaServerContainer server;

    @BeforeAll
    static void server() throws Exception {
        Path model = dir.resolve("models").resolve("tiny.gguf");
        Files.createDirectories(model.getParent());
        TinyLlama.demo().write(model);
        try (InputStream in = RemoteToolsTest.class.getResourceAsStream("/hermes-tools.jinja")) {
            Files.write(model.getParent().resolve("hermes-tools.jinja"), in.readAllBytes());
        }
        server = LlamaServerContainer.of(model).alias("tiny").contextSize(2048)
                .args("--jinja", "--chat-template-file", "/models/hermes-tools.jinja").start();
    }

    @AfterAll
    static void stop() {
        LlamaServerContainer.removeOwn();
    }

    private static RunningModel start(String... kv) {
        Map<String, String> m = new java.util.HashMap<>(Map.of("backend.remote.endpoints", server.url()));
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return RunningModel.builder().settings(Settings.of(m, "test"))
                .spec(ModelSpec.builder("tiny", dir.resolve("models/tiny.gguf")).build()).backend("remote").start();
    }

    private static ChatRequest ask(String user, int maxTokens) {
        return ChatRequest.of(List.of(ChatMessage.user(user)), maxTokens).withTemperature(0);
    }

    @Test
    void declaresToolsAndJsonSchemaByDefault() {
        try (RunningModel m = start()) {
            assertEquals(Set.of(Capability.TOOLS, Capability.JSON_SCHEMA), m.capabilities());
        }
    }

    /** The tools reach the server's template: the prompt grows by them, and the count is the server's own. */
    @Test
    void toolsArePassedThroughAndCountedAsTheServerRendersThem() {
        try (RunningModel m = start()) {
            ChatRequest r = ask("hi", 1).withTools(List.of(GRAB), ToolChoice.AUTO);
            int withTools = m.countPromptTokens(r.messages(), List.of(GRAB));
            int plain = m.countPromptTokens(r.messages());
            assertTrue(withTools > plain + 100, "the template rendered the tool: " + withTools + " vs " + plain);
            ChatResponse resp = m.chat(r);
            assertEquals(withTools, resp.usage().promptTokens(), "the server processed the tools it was sent");
        }
    }

    /** A call and its result in the conversation go as tool_calls and a tool message, and the template renders both. */
    @Test
    void toolTurnsArePassedThrough() {
        try (RunningModel m = start()) {
            ToolCall call = new ToolCall("call_1", "grab", "{\"object\":\"cup\"}");
            List<ChatMessage> turns = List.of(ChatMessage.user("grab the cup"), ChatMessage.assistant("", List.of(call)),
                    ChatMessage.toolResult("call_1", "holding the cup"));
            ChatRequest r = ChatRequest.of(turns, 1).withTemperature(0).withTools(List.of(GRAB), ToolChoice.NONE);
            int counted = m.countPromptTokens(turns, List.of(GRAB));
            assertEquals(counted, m.chat(r).usage().promptTokens());
            int userOnly = m.countPromptTokens(turns.subList(0, 1), List.of(GRAB));
            // <tool_call> {"name": "grab", ...} </tool_call> and <tool_response> holding the cup </tool_response>, byte tokens
            assertTrue(counted - userOnly > "grab{\"object\":\"cup\"}holding the cup".length(), counted + " vs " + userOnly);
        }
    }

    /** This server enforces a JSON schema: blocking and streamed answers are valid. */
    @Test
    void jsonSchemaIsHeldByTheServer() throws Exception {
        try (RunningModel m = start()) {
            ChatRequest r = ask("How many cups?", 300).withResponseFormat(ResponseFormat.jsonSchema("count", COUNT));
            ChatResponse blocking = m.chat(r);
            assertEquals(FinishReason.STOP, blocking.finishReason());
            assertTrue(MAPPER.readTree(blocking.text()).get("count").isInt(), blocking.text());
            StringBuilder pieces = new StringBuilder();
            ChatResponse streamed = m.stream(r, pieces::append, new Cancellation());
            assertEquals(streamed.text(), pieces.toString());
            assertTrue(MAPPER.readTree(streamed.text()).get("count").isInt(), streamed.text());
        }
    }

    @Test
    void jsonObjectIsHeldByTheServer() throws Exception {
        try (RunningModel m = start()) {
            ChatResponse r = m.chat(ask("How many cups?", 300).withResponseFormat(ResponseFormat.JSON_OBJECT));
            assertTrue(MAPPER.readTree(r.text()).isObject(), r.text());
        }
    }

    /**
     * This server does not force a call (measured: tool_choice required is rendered, not
     * enforced): the answer is text, which the runtime refuses to hand on as an answer to a forced call.
     */
    @Test
    void aForcedCallTheServerDoesNotHoldIsAnInvalidAnswer() {
        try (RunningModel m = start()) {
            ChatRequest r = ask("hi", 8).withTools(List.of(GRAB), ToolChoice.REQUIRED);
            ChatException e = assertThrows(ChatException.class, () -> m.chat(r));
            ChatFailure.InvalidAnswer f = assertInstanceOf(ChatFailure.InvalidAnswer.class, e.failure(), e.getMessage());
            assertTrue(f.describe().contains("asks for a call"), f.describe());
            ChatException streamed = assertThrows(ChatException.class, () -> m.stream(r, p -> { }, new Cancellation()));
            assertInstanceOf(ChatFailure.InvalidAnswer.class, streamed.failure());
        }
    }

    /** backend.remote.capabilities declares less: such requests are refused before anything is sent. */
    @Test
    void fewerCapabilitiesDeclaredRefuseToolRequests() {
        int before = server.generations();
        try (RunningModel m = start("backend.remote.capabilities", "json-schema")) {
            assertEquals(Set.of(Capability.JSON_SCHEMA), m.capabilities());
            ChatException e = assertThrows(ChatException.class,
                    () -> m.chat(ask("hi", 4).withTools(List.of(GRAB), ToolChoice.AUTO)));
            ChatFailure.Unsupported u = assertInstanceOf(ChatFailure.Unsupported.class, e.failure());
            assertEquals(Set.of(Capability.TOOLS), u.missing());
        }
        assertEquals(before, server.generations(), "nothing was sent");
    }
}
