package org.snowcrash.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.tools.SchemaCheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.service.tool.ToolExecution;

/**
 * What an application does with LangChain4j on a real Snowcrash model, the same on every backend:
 * AI Services with the robot's {@code @Tool} methods (LangChain4j's own tool loop), and a method
 * that returns a Java record. Each method asserts what must hold whatever backend served it.
 */
final class RobotScenario {

    /** What the robot is told to do; the demo model is trained to call {@code move(forward, 3)} for it. */
    static final String ORDER = "Please drive forward three meters";

    private static final ObjectMapper JSON = new ObjectMapper();

    private RobotScenario() {
    }

    /** Directions as the demo model was trained to name them (docs/tool-format.md). */
    enum Direction { forward, backward }

    /** Turns as the demo model was trained to name them. */
    enum Side { left, right }

    /** The robot's actuators, as LangChain4j tools; each records the command it was given. */
    static final class Wheels {
        final List<String> commands = new CopyOnWriteArrayList<>();

        @Tool("Drive straight.")
        String move(Direction direction, double meters) {
            commands.add("move " + direction + " " + meters);
            return "done";
        }

        @Tool("Turn in place.")
        String turn(Side direction, double degrees) {
            commands.add("turn " + direction + " " + degrees);
            return "done";
        }
    }

    interface Driver {
        String drive(String order);
    }

    interface StreamingDriver {
        TokenStream drive(String order);
    }

    /** Compass headings: an enum, so the answer's form is bounded whatever the weights. */
    enum Heading { north, east, south, west }

    /** Where the robot is: what a record-returning AI Service method gets back. */
    record Pose(double x, double y, Heading heading) {
    }

    interface Locator {
        Pose locate(String question);
    }

    /** Remembers the last request and response a model saw (LangChain4j calls it on the calling or stream thread). */
    static final class Recorder implements ChatModelListener {
        volatile ChatRequest request;
        volatile ChatResponse response;

        @Override
        public void onRequest(ChatModelRequestContext c) {
            request = c.chatRequest();
        }

        @Override
        public void onResponse(ChatModelResponseContext c) {
            response = c.chatResponse();
        }
    }

    private static ChatRequestParameters limit(int maxTokens) {
        return ChatRequestParameters.builder().maxOutputTokens(maxTokens).temperature(0.0).build();
    }

    /**
     * The blocking tool loop: LangChain4j runs {@code move(forward, 3)} when the model calls it and
     * sends the result back; the final answer is text.
     */
    static void driveBlocking(RunningModel model) {
        Wheels wheels = new Wheels();
        Driver driver = AiServices.builder(Driver.class)
                .chatModel(SnowcrashChatModel.builder().runningModel(model).defaultRequestParameters(limit(48)).build())
                .tools(wheels).build();
        String answer = driver.drive(ORDER);
        assertEquals(List.of("move forward 3.0"), wheels.commands, "the tool ran once, with the order's arguments");
        assertNotNull(answer);
        assertFalse(answer.isBlank(), "the final answer is text");
        assertFalse(answer.strip().startsWith("{"), "the final answer is not a call: " + answer);
    }

    /**
     * The same loop streaming through a {@link TokenStream}: the call streams as partial tool calls
     * of the {@code move} tool, the tool runs, and the final response is text.
     */
    static void driveStreaming(RunningModel model) throws Exception {
        Wheels wheels = new Wheels();
        StreamingDriver driver = AiServices.builder(StreamingDriver.class)
                .streamingChatModel(SnowcrashStreamingChatModel.builder().runningModel(model).defaultRequestParameters(limit(48)).build())
                .tools(wheels).build();
        List<String> partialCallNames = new CopyOnWriteArrayList<>();
        List<ToolExecution> executed = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        driver.drive(ORDER)
                .onPartialResponse(piece -> { })
                .onPartialToolCall(p -> partialCallNames.add(p.name()))
                .onToolExecuted(executed::add)
                .onCompleteResponse(done::complete)
                .onError(done::completeExceptionally)
                .start();
        ChatResponse last = done.get(10, TimeUnit.MINUTES);
        assertEquals(List.of("move forward 3.0"), wheels.commands);
        assertEquals(1, executed.size());
        assertEquals("move", executed.get(0).request().name());
        assertTrue(!partialCallNames.isEmpty() && partialCallNames.stream().allMatch("move"::equals),
                "the call streamed as partial tool calls: " + partialCallNames);
        assertFalse(last.aiMessage().hasToolExecutionRequests());
        assertNotNull(last.aiMessage().text());
        assertFalse(last.aiMessage().text().isBlank(), "the final answer is text");
    }

    /**
     * A record return type: AI Services sends the record's JSON schema (the model declares it can
     * hold one), and the answer is valid against it, whatever the weights.
     */
    static void recordBlocking(RunningModel model) throws Exception {
        Recorder recorder = new Recorder();
        SnowcrashChatModel chat = SnowcrashChatModel.builder().runningModel(model).defaultRequestParameters(limit(160))
                .listeners(List.of(recorder)).build();
        Pose pose = AiServices.create(Locator.class, chat).locate("Where are you?");
        assertNotNull(pose);
        assertEquals(ResponseFormatType.JSON, recorder.request.responseFormat().type(), "the schema was sent, not asked for in the prompt");
        ResponseFormat.JsonSchemaFormat format = assertInstanceOf(ResponseFormat.JsonSchemaFormat.class,
                Parameters.format(recorder.request.responseFormat()));
        String text = recorder.response.aiMessage().text();
        assertEquals(List.of(), SchemaCheck.problems(format.schema(), text), text);
        JsonNode node = JSON.readTree(text);
        if (node.has("heading")) {
            assertEquals(node.get("heading").asText(), pose.heading().name());
        }
    }

    /**
     * A required call, blocking and streaming: whatever the weights, the answer is a call to one of
     * the robot's tools with arguments valid against its schema, as LangChain4j's tool execution
     * requests with {@code TOOL_EXECUTION}; streamed, it arrives as partial tool calls whose pieces
     * join into the arguments, then one complete tool call, then the response carrying it.
     */
    static void requiredCall(RunningModel model) throws Exception {
        List<dev.langchain4j.agent.tool.ToolSpecification> tools =
                dev.langchain4j.agent.tool.ToolSpecifications.toolSpecificationsFrom(Wheels.class);
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from(ORDER)).toolSpecifications(tools)
                .toolChoice(dev.langchain4j.model.chat.request.ToolChoice.REQUIRED).maxOutputTokens(256).temperature(0.0).build();
        ChatResponse blocking = SnowcrashChatModel.builder().runningModel(model).build().chat(request);
        checkCall(blocking, tools);

        List<dev.langchain4j.model.chat.response.PartialToolCall> partials = new CopyOnWriteArrayList<>();
        List<dev.langchain4j.model.chat.response.CompleteToolCall> completes = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        SnowcrashStreamingChatModel.builder().runningModel(model).build().chat(request,
                new dev.langchain4j.model.chat.response.StreamingChatResponseHandler() {
                    @Override
                    public void onPartialToolCall(dev.langchain4j.model.chat.response.PartialToolCall p) {
                        partials.add(p);
                    }

                    @Override
                    public void onCompleteToolCall(dev.langchain4j.model.chat.response.CompleteToolCall c) {
                        completes.add(c);
                    }

                    @Override
                    public void onCompleteResponse(ChatResponse r) {
                        done.complete(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }
                });
        ChatResponse streamed = done.get(10, TimeUnit.MINUTES);
        checkCall(streamed, tools);
        dev.langchain4j.agent.tool.ToolExecutionRequest call = streamed.aiMessage().toolExecutionRequests().get(0);
        assertFalse(partials.isEmpty(), "the call streamed");
        assertEquals(call.arguments(), partials.stream().filter(p -> p.index() == 0)
                .map(dev.langchain4j.model.chat.response.PartialToolCall::partialArguments).reduce("", String::concat));
        assertTrue(partials.stream().allMatch(p -> p.index() > 0 || (call.id().equals(p.id()) && call.name().equals(p.name()))),
                partials.toString());
        assertEquals(streamed.aiMessage().toolExecutionRequests().size(), completes.size());
        assertEquals(call, completes.get(0).toolExecutionRequest());
    }

    private static void checkCall(ChatResponse r, List<dev.langchain4j.agent.tool.ToolSpecification> tools) {
        assertEquals(FinishReason.TOOL_EXECUTION, r.finishReason());
        assertTrue(r.aiMessage().hasToolExecutionRequests(), r.toString());
        for (dev.langchain4j.agent.tool.ToolExecutionRequest call : r.aiMessage().toolExecutionRequests()) {
            dev.langchain4j.agent.tool.ToolSpecification spec = tools.stream().filter(t -> t.name().equals(call.name()))
                    .findFirst().orElseThrow(() -> new AssertionError("a call to a tool not offered: " + call));
            assertNotNull(call.id());
            assertEquals(List.of(), SchemaCheck.problems(Parameters.schema(spec.parameters()), call.arguments()), call.arguments());
        }
    }

    /** A JSON-schema answer streamed by the streaming model: the pieces join into schema-valid JSON. */
    static void recordStreaming(RunningModel model) throws Exception {
        dev.langchain4j.model.chat.request.json.JsonSchema schema = dev.langchain4j.model.chat.request.json.JsonSchema.builder()
                .name("Pose").rootElement(dev.langchain4j.internal.JsonSchemaElementUtils.jsonSchemaElementFrom(Pose.class)).build();
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("Where are you?"))
                .responseFormat(dev.langchain4j.model.chat.request.ResponseFormat.builder().type(ResponseFormatType.JSON)
                        .jsonSchema(schema).build())
                .maxOutputTokens(160).temperature(0.0).build();
        SnowcrashLangChain4jTest.Collector c = new SnowcrashLangChain4jTest.Collector();
        SnowcrashStreamingChatModel.builder().runningModel(model).build().chat(request, c);
        ChatResponse r = c.done.get(10, TimeUnit.MINUTES);
        assertEquals(FinishReason.STOP, r.finishReason());
        assertEquals(r.aiMessage().text(), String.join("", c.partials));
        assertEquals(List.of(), SchemaCheck.problems(Parameters.schema(schema.rootElement()), r.aiMessage().text()), r.aiMessage().text());
    }
}
