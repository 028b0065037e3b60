package org.snowcrash.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolCallDelta;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolSpec;
import org.snowcrash.api.Usage;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

/** The mapping between LangChain4j's request and response types and Snowcrash's, without a model. */
class MappingTest {

    static final ToolSpecification MOVE = ToolSpecification.builder().name("move").description("Drive the robot")
            .parameters(JsonObjectSchema.builder()
                    .addEnumProperty("direction", List.of("forward", "back"))
                    .addNumberProperty("meters", "how far")
                    .required("direction", "meters").build())
            .build();

    private static ChatRequest.Builder ask(String text) {
        return ChatRequest.builder().messages(UserMessage.from(text));
    }

    @Test
    void toolSpecificationsBecomeToolsWithLangChain4jsOwnSchemaText() {
        org.snowcrash.api.ChatRequest r = Messages.toSnowcrash(ask("go").toolSpecifications(MOVE).build(), 16);
        ToolSpec move = r.tools().get(0);
        assertEquals("move", move.name());
        assertEquals("Drive the robot", move.description());
        assertEquals("{\"type\":\"object\",\"properties\":{"
                + "\"direction\":{\"type\":\"string\",\"enum\":[\"forward\",\"back\"]},"
                + "\"meters\":{\"type\":\"number\",\"description\":\"how far\"}},"
                + "\"required\":[\"direction\",\"meters\"]}", move.parameters().json());
        assertEquals(ToolChoice.AUTO, r.toolChoice(), "LangChain4j's default choice is auto");
        assertTrue(r.parallelToolCalls());
    }

    @Test
    void aToolWithoutParametersTakesAnEmptyObjectAndABadNameIsNamed() {
        ToolSpecification time = ToolSpecification.builder().name("time").build();
        ToolSpec t = Messages.toSnowcrash(ask("now?").toolSpecifications(time).build(), 16).tools().get(0);
        assertEquals("{\"type\":\"object\",\"properties\":{}}", t.parameters().json());
        assertEquals("", t.description());
        ToolSpecification bad = ToolSpecification.builder().name("move robot").build();
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> Messages.toSnowcrash(ask("go").toolSpecifications(bad).build(), 16));
        assertTrue(e.getMessage().startsWith("tool 'move robot': tool name 'move robot' must match"), e.getMessage());
    }

    @Test
    void toolChoicesMapOneToOneAndRequiredWithoutToolsIsRefused() {
        assertEquals(ToolChoice.REQUIRED, Messages.toSnowcrash(ask("go").toolSpecifications(MOVE)
                .toolChoice(dev.langchain4j.model.chat.request.ToolChoice.REQUIRED).build(), 16).toolChoice());
        assertEquals(ToolChoice.NONE, Messages.toSnowcrash(ask("go").toolSpecifications(MOVE)
                .toolChoice(dev.langchain4j.model.chat.request.ToolChoice.NONE).build(), 16).toolChoice());
        assertEquals(ToolChoice.AUTO, Messages.toSnowcrash(ask("go").build(), 16).toolChoice());
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> Messages.toSnowcrash(
                ask("go").toolChoice(dev.langchain4j.model.chat.request.ToolChoice.REQUIRED).build(), 16));
        assertEquals("tool_choice required needs tools to call, and none are offered", e.getMessage());
    }

    @Test
    void responseFormatsMapToTextJsonObjectAndANamedStrictSchema() {
        assertEquals(ResponseFormat.TEXT, Messages.toSnowcrash(ask("x").build(), 16).responseFormat());
        assertEquals(ResponseFormat.TEXT, Messages.toSnowcrash(ask("x")
                .responseFormat(dev.langchain4j.model.chat.request.ResponseFormat.TEXT).build(), 16).responseFormat());
        assertEquals(ResponseFormat.JSON_OBJECT, Messages.toSnowcrash(ask("x")
                .responseFormat(dev.langchain4j.model.chat.request.ResponseFormat.JSON).build(), 16).responseFormat());
        JsonSchema pose = JsonSchema.builder().name("Robot$Pose")
                .rootElement(JsonObjectSchema.builder().addNumberProperty("x").addProperty("tags",
                        JsonArraySchema.builder().items(new JsonStringSchema()).build()).required("x").build()).build();
        ResponseFormat f = Messages.toSnowcrash(ask("x").responseFormat(dev.langchain4j.model.chat.request.ResponseFormat.builder()
                .type(ResponseFormatType.JSON).jsonSchema(pose).build()).build(), 16).responseFormat();
        ResponseFormat.JsonSchemaFormat s = assertInstanceOf(ResponseFormat.JsonSchemaFormat.class, f);
        assertEquals("Robot_Pose", s.name(), "made OpenAI-safe");
        assertTrue(s.strict());
        assertEquals("{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"number\"},"
                + "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},\"required\":[\"x\"]}", s.schema().json());
        JsonSchema notAnObject = JsonSchema.builder().name("Word").rootElement(new JsonStringSchema()).build();
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> Messages.toSnowcrash(ask("x")
                .responseFormat(dev.langchain4j.model.chat.request.ResponseFormat.builder()
                        .type(ResponseFormatType.JSON).jsonSchema(notAnObject).build()).build(), 16));
        assertEquals("response format 'Word': the schema's root must be an object schema, got JsonStringSchema", e.getMessage());
    }

    @Test
    void aToolLoopConversationBecomesCallsAndResults() {
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("call_1").name("move")
                .arguments("{\"direction\":\"forward\",\"meters\":3}").build();
        ChatRequest lc = ChatRequest.builder().messages(SystemMessage.from("You drive."), UserMessage.from("go"),
                AiMessage.from(call), ToolExecutionResultMessage.from(call, "moved 3 m"))
                .toolSpecifications(MOVE).build();
        List<ChatMessage> m = Messages.toSnowcrash(lc, 16).messages();
        assertEquals(4, m.size());
        assertEquals(ChatMessage.assistant("", List.of(new ToolCall("call_1", "move", "{\"direction\":\"forward\",\"meters\":3}"))),
                m.get(2));
        assertEquals(ChatMessage.toolResult("call_1", "moved 3 m"), m.get(3));

        ToolExecutionResultMessage orphan = ToolExecutionResultMessage.from("call_9", "move", "moved");
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> Messages.toSnowcrash(ChatRequest.builder().messages(UserMessage.from("go"), orphan).build(), 16));
        assertEquals("messages[1]: the tool message answers call 'call_9', which no earlier assistant message made", e.getMessage());
        AiMessage noId = AiMessage.from(ToolExecutionRequest.builder().name("move").arguments("{}").build());
        e = assertThrows(InvalidRequestException.class,
                () -> Messages.toSnowcrash(ChatRequest.builder().messages(UserMessage.from("go"), noId).build(), 16));
        assertEquals("tool execution request 'move' has no id; Snowcrash ties each tool result to its call by id", e.getMessage());
    }

    @Test
    void callsComeBackAsToolExecutionRequestsAndReasoningAsThinking() {
        ToolCall call = new ToolCall("call_7", "move", "{\"direction\":\"back\",\"meters\":1}");
        ChatResponse r = Messages.toLangChain(new org.snowcrash.api.ChatResponse("", FinishReason.TOOL_CALLS, new Usage(20, 9),
                Duration.ofMillis(5), List.of(call), "the wall is ahead"), "demo");
        assertEquals(dev.langchain4j.model.output.FinishReason.TOOL_EXECUTION, r.finishReason());
        assertNull(r.aiMessage().text(), "no text beside the calls, as LangChain4j's providers answer");
        assertEquals(List.of(ToolExecutionRequest.builder().id("call_7").name("move")
                .arguments("{\"direction\":\"back\",\"meters\":1}").build()), r.aiMessage().toolExecutionRequests());
        assertEquals("the wall is ahead", r.aiMessage().thinking());
        assertEquals(9, r.tokenUsage().outputTokenCount());

        ChatResponse text = Messages.toLangChain(new org.snowcrash.api.ChatResponse("Done.", FinishReason.STOP, new Usage(20, 2),
                Duration.ofMillis(5)), "demo");
        assertEquals("Done.", text.aiMessage().text());
        assertNull(text.aiMessage().thinking());
        assertTrue(text.aiMessage().toolExecutionRequests().isEmpty());
    }

    @Test
    void streamedCallDeltasBecomePartialToolCallsEachWithIdNameAndArguments() {
        List<String> heard = new ArrayList<>();
        StreamingChatResponseHandler h = new StreamingChatResponseHandler() {
            @Override
            public void onPartialToolCall(PartialToolCall p, PartialToolCallContext c) {
                heard.add("partial " + p.index() + " " + p.id() + " " + p.name() + " " + p.partialArguments());
            }

            @Override
            public void onCompleteToolCall(CompleteToolCall c) {
                heard.add("complete " + c.index() + " " + c.toolExecutionRequest().id() + " " + c.toolExecutionRequest().arguments());
            }

            @Override
            public void onCompleteResponse(ChatResponse r) {
            }

            @Override
            public void onError(Throwable t) {
            }
        };
        StreamBridge bridge = new StreamBridge(h, new dev.langchain4j.model.chat.response.StreamingHandle() {
            @Override
            public void cancel() {
            }

            @Override
            public boolean isCancelled() {
                return false;
            }
        });
        bridge.toolCall(new ToolCallDelta(0, "c1", "move", ""));
        bridge.toolCall(new ToolCallDelta(0, "", "", "{\"meters\""));
        bridge.toolCall(new ToolCallDelta(0, "", "", ":3}"));
        bridge.toolCall(new ToolCallDelta(1, "c2", "turn", "{}"));
        bridge.completeCalls(List.of(new ToolCall("c1", "move", "{\"meters\":3}"), new ToolCall("c2", "turn", "{}")));
        assertEquals(List.of("partial 0 c1 move {\"meters\"", "partial 0 c1 move :3}", "partial 1 c2 turn {}",
                "complete 0 c1 {\"meters\":3}", "complete 1 c2 {}"), heard);
    }
}
