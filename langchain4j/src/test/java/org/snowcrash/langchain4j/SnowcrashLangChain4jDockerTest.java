package org.snowcrash.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.api.ToolFormat;
import org.snowcrash.backend.docker.DockerCondition;
import org.snowcrash.backend.docker.RequiresDocker;
import org.snowcrash.testkit.TinyLlama;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/** The same LangChain4j API with the model in a container. */
@RequiresDocker
class SnowcrashLangChain4jDockerTest {

    /** The demo model; its container's name and port are the Docker backend's own settings. */
    record DockerDemo(ModelSpec spec, String containerName, Settings settings) {
    }

    /** Writes a model file. */
    interface ModelFile {
        void writeTo(Path file) throws java.io.IOException;
    }

    /** The random-weight test model on a free port, in a container named for this test and this JVM. */
    private static DockerDemo demo(String container) throws Exception {
        return demo(container, file -> TinyLlama.demo().write(file), ToolFormat.NATIVE);
    }

    /** A model on a free port, in a container named for this test and this JVM. */
    static DockerDemo demo(String container, ModelFile model, ToolFormat toolFormat) throws Exception {
        Path dir = Files.createTempDirectory("lc4j-docker");
        model.writeTo(dir.resolve("demo.gguf"));
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String name = container + "-" + ProcessHandle.current().pid();
        Settings settings = Settings.of(Map.of("backend.docker.image", DockerCondition.IMAGE,
                "backend.docker.pull", "never", "backend.docker.gpu", "off",
                "backend.docker.labels", "snowcrash-test.run=lc4j-" + ProcessHandle.current().pid(),
                "model.demo.port", String.valueOf(port), "model.demo.container", name));
        return new DockerDemo(ModelSpec.builder("demo", dir.resolve("demo.gguf")).startupTimeout(Duration.ofSeconds(60))
                .toolFormat(toolFormat).build(),
                name, settings);
    }

    /** Runs the docker command and returns what it printed (empty when it failed). */
    static String docker(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return p.waitFor() == 0 ? out : "";
    }

    @Test
    void blockingAndStreamingThroughTheDockerBackend() throws Exception {
        DockerDemo demo = demo("snowcrash-test-lc4j");
        try (RunningModel llm = RunningModel.builder().settings(demo.settings()).spec(demo.spec()).backend("docker").start()) {
            assertEquals("docker", llm.info().backendId());
            SnowcrashChatModel chatModel = SnowcrashChatModel.builder().runningModel(llm).build();
            ChatRequest req = ChatRequest.builder().messages(UserMessage.from("hello")).maxOutputTokens(6).temperature(0.0).build();
            chatModel.chat(req); // warm the prompt cache, so both requests below take the same path
            ChatResponse blocking = chatModel.chat(req);
            assertEquals(6, blocking.tokenUsage().outputTokenCount());
            SnowcrashLangChain4jTest.Collector c = new SnowcrashLangChain4jTest.Collector();
            SnowcrashStreamingChatModel.builder().runningModel(llm).build().chat(req, c);
            ChatResponse streamed = c.done.get(60, TimeUnit.SECONDS);
            assertEquals(blocking.aiMessage().text(), streamed.aiMessage().text());
            assertEquals(streamed.aiMessage().text(), String.join("", c.partials));
            assertTrue(streamed.tokenUsage().inputTokenCount() > 0);
        }
    }

    @Test
    void aLangChain4jUserGetsARestartedBackendAfterTheContainerIsKilled() throws Exception {
        DockerDemo spec = demo("snowcrash-test-lc4j-kill");
        List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
        ListenersAndRecoveryTest.Recording listener = new ListenersAndRecoveryTest.Recording();
        try (RunningModel llm = RunningModel.builder().settings(spec.settings()).spec(spec.spec()).backend("docker")
                .listener(events::add).start()) {
            SnowcrashChatModel chatModel = SnowcrashChatModel.builder().runningModel(llm).listeners(List.of(listener)).build();
            SnowcrashStreamingChatModel streamingModel = SnowcrashStreamingChatModel.builder().runningModel(llm)
                    .listeners(List.of(listener)).build();
            ChatRequest req = ChatRequest.builder().messages(UserMessage.from("hello")).maxOutputTokens(4).build();
            assertEquals(4, chatModel.chat(req).tokenUsage().outputTokenCount());
            String first = docker("inspect", "-f", "{{.Id}}", spec.containerName());
            assertFalse(first.isEmpty(), "the container runs");

            docker("kill", spec.containerName());
            docker("wait", spec.containerName()); // returns once the container has stopped
            SnowcrashLangChain4jTest.Collector c = new SnowcrashLangChain4jTest.Collector();
            streamingModel.chat(req, c);
            ExecutionException e = assertThrows(ExecutionException.class, () -> c.done.get(60, TimeUnit.SECONDS));
            assertInstanceOf(ChatFailure.BackendGone.class, assertInstanceOf(ChatException.class, e.getCause()).failure());
            assertTrue(events.stream().anyMatch(ev -> ev instanceof LifecycleEvent.Degraded), events.toString());

            ChatResponse again = chatModel.chat(req);
            assertEquals(4, again.tokenUsage().outputTokenCount(), "served again");
            String second = docker("inspect", "-f", "{{.Id}}", spec.containerName());
            assertFalse(second.isEmpty());
            assertNotEquals(first, second, "by a new container");
            assertEquals(2, events.stream().filter(ev -> ev instanceof LifecycleEvent.ServedBy).count(), events.toString());
            assertEquals(List.of("request max=4 model=demo", "response", "request max=4 model=demo", "error ChatException",
                    "request max=4 model=demo", "response"),
                    listener.heard.stream().map(h -> h.startsWith("response") ? "response" : h.replace(" mine", "")).toList());
        }
        assertEquals("", docker("ps", "-aq", "--filter", "name=^/" + spec.containerName() + "$"), "no container left");
    }
}
