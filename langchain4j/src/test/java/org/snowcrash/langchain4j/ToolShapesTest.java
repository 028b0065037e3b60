package org.snowcrash.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.Settings;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.Usage;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.testkit.fake.FakeBackend;
import org.snowcrash.testkit.fake.FakeSession;
import org.snowcrash.registry.BackendRegistry;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.service.tool.ToolExecution;

/**
 * The shapes of the tool mapping through the real runtime (its capability check and its check of
 * every answer against the request) and LangChain4j's own AI Services, with a fake backend that is
 * told its answers: that a call reaches the {@code @Tool} method, its result goes back as a tool
 * message, a record's schema is sent, and failures come out as LangChain4j exceptions. What a real
 * model does with them is in {@link ToolsInProcessTest} and {@link ToolsDockerTest}.
 */
class ToolShapesTest {

    @TempDir
    Path dir;

    private RunningModel running;

    private FakeSession start(Set<Capability> capabilities) throws Exception {
        Path file = dir.resolve("m.gguf");
        TinyLlama.demo().write(file);
        FakeBackend backend = ListenersAndRecoveryTest.echo(capabilities);
        running = RunningModel.builder().settings(Settings.empty()).spec(ModelSpec.builder("m", file).build())
                .discovery(BackendRegistry.order(List.of(backend), List.of(), Settings.empty())).start();
        return backend.last();
    }

    @AfterEach
    void stop() {
        if (running != null) {
            running.close();
        }
    }

    /** The robot's actuator: records each command it was given. */
    static final class Wheels {
        final List<String> commands = new CopyOnWriteArrayList<>();

        @Tool("Drive the robot straight: direction forward or back, distance in meters")
        String move(String direction, double meters) {
            commands.add(direction + " " + meters);
            return "moved " + direction + " " + meters + " m";
        }
    }

    interface Driver {
        String drive(String order);
    }

    interface StreamingDriver {
        TokenStream drive(String order);
    }

    /** Where the robot is. */
    record Pose(double x, double y, String heading) {
    }

    interface Locator {
        Pose locate(String question);
    }

    private static org.snowcrash.api.ChatResponse calls(ToolCall... calls) {
        return new org.snowcrash.api.ChatResponse("", FinishReason.TOOL_CALLS, new Usage(30, 12), Duration.ofMillis(1),
                List.of(calls), "");
    }

    private static org.snowcrash.api.ChatResponse text(String text) {
        return new org.snowcrash.api.ChatResponse(text, FinishReason.STOP, new Usage(40, 4), Duration.ofMillis(1));
    }

    private static final ToolCall FORWARD_3 = new ToolCall("call_1", "move", "{\"direction\":\"forward\",\"meters\":3}");

    @Test
    void aiServicesRunTheirToolLoopOnSnowcrashBlocking() throws Exception {
        FakeSession session = start(Set.of(Capability.TOOLS));
        session.script(calls(FORWARD_3));
        session.script(text("I drove forward three meters."));
        Wheels wheels = new Wheels();
        Driver driver = AiServices.builder(Driver.class).chatModel(SnowcrashChatModel.builder().runningModel(running).build())
                .tools(wheels).build();

        assertEquals("I drove forward three meters.", driver.drive("Please drive forward three meters"));
        assertEquals(List.of("forward 3.0"), wheels.commands);
        ChatRequest first = session.requests().get(0);
        assertEquals("move", first.tools().get(0).name());
        assertEquals("{\"type\":\"object\",\"properties\":{\"direction\":{\"type\":\"string\"},\"meters\":{\"type\":\"number\"}},"
                + "\"required\":[\"direction\",\"meters\"]}", first.tools().get(0).parameters().json(),
                "the @Tool method's parameters, by name");
        List<ChatMessage> second = session.requests().get(1).messages();
        assertEquals(ChatMessage.assistant("", List.of(FORWARD_3)), second.get(second.size() - 2));
        assertEquals(ChatMessage.toolResult("call_1", "moved forward 3.0 m"), second.get(second.size() - 1));
    }

    @Test
    void aiServicesRunTheirToolLoopOnSnowcrashStreaming() throws Exception {
        FakeSession session = start(Set.of(Capability.TOOLS));
        session.script(calls(FORWARD_3));
        session.script(text("I drove forward three meters."));
        Wheels wheels = new Wheels();
        StreamingDriver driver = AiServices.builder(StreamingDriver.class)
                .streamingChatModel(SnowcrashStreamingChatModel.builder().runningModel(running).build()).tools(wheels).build();
        List<PartialToolCall> partialCalls = new CopyOnWriteArrayList<>();
        List<ToolExecution> executed = new CopyOnWriteArrayList<>();
        StringBuilder text = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        driver.drive("Please drive forward three meters")
                .onPartialResponse(text::append)
                .onPartialToolCall(partialCalls::add)
                .onToolExecuted(executed::add)
                .onCompleteResponse(done::complete)
                .onError(done::completeExceptionally)
                .start();
        ChatResponse last = done.get(30, TimeUnit.SECONDS);

        assertEquals("I drove forward three meters.", last.aiMessage().text());
        assertEquals("I drove forward three meters.", text.toString());
        assertEquals(List.of("forward 3.0"), wheels.commands);
        assertEquals(2, partialCalls.size(), "the call streamed in two pieces");
        assertEquals(FORWARD_3.arguments(), partialCalls.get(0).partialArguments() + partialCalls.get(1).partialArguments());
        assertTrue(partialCalls.stream().allMatch(p -> p.id().equals("call_1") && p.name().equals("move")), partialCalls.toString());
        assertEquals("moved forward 3.0 m", executed.get(0).result());
        assertEquals(ChatMessage.toolResult("call_1", "moved forward 3.0 m"),
                session.requests().get(1).messages().get(session.requests().get(1).messages().size() - 1));
    }

    @Test
    void aRecordReturnTypeSendsItsSchemaWhenTheBackendHoldsOne() throws Exception {
        FakeSession session = start(Set.of(Capability.JSON_SCHEMA));
        session.script(text("{\"x\":1.5,\"y\":-2,\"heading\":\"north\"}"));
        SnowcrashChatModel model = SnowcrashChatModel.builder().runningModel(running).build();
        assertEquals(Set.of(dev.langchain4j.model.chat.Capability.RESPONSE_FORMAT_JSON_SCHEMA), model.supportedCapabilities());
        Locator locator = AiServices.create(Locator.class, model);

        assertEquals(new Pose(1.5, -2, "north"), locator.locate("Where are you?"));
        ResponseFormat.JsonSchemaFormat f = assertInstanceOf(ResponseFormat.JsonSchemaFormat.class,
                session.requests().get(0).responseFormat());
        assertEquals("Pose", f.name());
        assertEquals("{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"number\"},\"y\":{\"type\":\"number\"},"
                + "\"heading\":{\"type\":\"string\"}},\"required\":[]}", f.schema().json(),
                "LangChain4j's schema of a record, as its own converter writes it (components optional)");
    }

    @Test
    void withoutASchemaCapableBackendAiServicesAskInThePromptInstead() throws Exception {
        FakeSession session = start(Set.of());
        session.script(text("{\"x\":0,\"y\":0,\"heading\":\"east\"}"));
        SnowcrashChatModel model = SnowcrashChatModel.builder().runningModel(running).build();
        assertEquals(Set.of(), model.supportedCapabilities());
        assertEquals(new Pose(0, 0, "east"), AiServices.create(Locator.class, model).locate("Where are you?"));
        assertEquals(ResponseFormat.TEXT, session.requests().get(0).responseFormat(), "no schema sent to a backend that cannot hold it");
    }

    @Test
    void toolsOnABackendWithoutThemAreAnUnsupportedFeature() throws Exception {
        FakeSession session = start(Set.of());
        Driver driver = AiServices.builder(Driver.class).chatModel(SnowcrashChatModel.builder().runningModel(running).build())
                .tools(new Wheels()).build();
        UnsupportedFeatureException e = assertThrows(UnsupportedFeatureException.class, () -> driver.drive("go"));
        assertEquals("echo (model m): backend 'echo' cannot honour [TOOLS] that the request needs; "
                + "start the model on a backend that declares [TOOLS]", e.getMessage());
        assertTrue(session.requests().isEmpty(), "nothing was sent");
    }

    @Test
    void anInvalidCallIsRefusedBeforeAnyToolRunsBlockingAndStreaming() throws Exception {
        FakeSession session = start(Set.of(Capability.TOOLS));
        ToolCall wordy = new ToolCall("call_2", "move", "{\"direction\":\"forward\",\"meters\":\"three\"}");
        session.script(calls(wordy));
        Wheels wheels = new Wheels();
        Driver driver = AiServices.builder(Driver.class).chatModel(SnowcrashChatModel.builder().runningModel(running).build())
                .tools(wheels).build();
        InvalidAnswerException e = assertThrows(InvalidAnswerException.class, () -> driver.drive("go"));
        assertTrue(e.what().contains("meters"), e.what());
        assertEquals(wordy.arguments(), e.answer());

        session.script(calls(wordy));
        StreamingDriver streaming = AiServices.builder(StreamingDriver.class)
                .streamingChatModel(SnowcrashStreamingChatModel.builder().runningModel(running).build()).tools(wheels).build();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.drive("go").onPartialResponse(p -> { }).onCompleteResponse(done::complete)
                .onError(done::completeExceptionally).start();
        ExecutionException failed = assertThrows(ExecutionException.class, () -> done.get(30, TimeUnit.SECONDS));
        assertInstanceOf(InvalidAnswerException.class, failed.getCause());
        assertEquals(List.of(), wheels.commands, "no tool ran");
    }

    @Test
    void reasoningArrivesAsThinking() throws Exception {
        FakeSession session = start(Set.of());
        session.script(new org.snowcrash.api.ChatResponse("Yes.", FinishReason.STOP, new Usage(5, 1), Duration.ofMillis(1),
                List.of(), "the floor is clear"));
        session.script(new org.snowcrash.api.ChatResponse("Yes.", FinishReason.STOP, new Usage(5, 1), Duration.ofMillis(1),
                List.of(), "the floor is clear"));
        SnowcrashChatModel model = SnowcrashChatModel.builder().runningModel(running).build();
        ChatResponse r = model.chat(dev.langchain4j.model.chat.request.ChatRequest.builder()
                .messages(dev.langchain4j.data.message.UserMessage.from("Clear?")).build());
        assertEquals("the floor is clear", r.aiMessage().thinking());
        assertEquals("Yes.", r.aiMessage().text());

        List<String> thinking = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        SnowcrashStreamingChatModel.builder().runningModel(running).build().chat(
                dev.langchain4j.model.chat.request.ChatRequest.builder()
                        .messages(dev.langchain4j.data.message.UserMessage.from("Clear?")).build(),
                new dev.langchain4j.model.chat.response.StreamingChatResponseHandler() {
                    @Override
                    public void onPartialThinking(dev.langchain4j.model.chat.response.PartialThinking t) {
                        thinking.add(t.text());
                    }

                    @Override
                    public void onCompleteResponse(ChatResponse c) {
                        done.complete(c);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }
                });
        assertEquals("the floor is clear", done.get(30, TimeUnit.SECONDS).aiMessage().thinking());
        assertEquals(List.of("the floor is clear"), thinking);
        assertTrue(done.get().aiMessage().toolExecutionRequests().isEmpty());
    }
}
