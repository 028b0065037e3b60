package org.snowcrash.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.backend.docker.DockerCondition;
import org.snowcrash.backend.docker.RequiresDocker;
import org.snowcrash.models.TinyLlama;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/** The same LangChain4j API with the model in a container. */
@RequiresDocker
class SnowcrashLangChain4jDockerTest {

    @Test
    void blockingAndStreamingThroughTheDockerBackend() throws Exception {
        Path dir = Files.createTempDirectory("lc4j-docker");
        TinyLlama.demo().write(dir.resolve("demo.gguf"));
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ModelSpec spec = ModelSpec.builder("demo", dir.resolve("demo.gguf")).port(port)
                .containerName("snowcrash-test-lc4j").startupTimeout(Duration.ofSeconds(60)).build();
        Settings settings = Settings.of(Map.of("backend.docker.image", DockerCondition.IMAGE,
                "backend.docker.pull", "never", "backend.docker.gpu", "off"));
        try (SnowcrashLangChain4j llm = SnowcrashLangChain4j.builder().settings(settings).spec(spec).backend("docker").start()) {
            assertEquals("docker", llm.info().backendId());
            ChatRequest req = ChatRequest.builder().messages(UserMessage.from("hello")).maxOutputTokens(6).temperature(0.0).build();
            llm.chatModel().chat(req); // warm the prompt cache, so both requests below take the same path
            ChatResponse blocking = llm.chatModel().chat(req);
            assertEquals(6, blocking.tokenUsage().outputTokenCount());
            SnowcrashLangChain4jTest.Collector c = new SnowcrashLangChain4jTest.Collector();
            llm.streamingChatModel().chat(req, c);
            ChatResponse streamed = c.done.get(60, TimeUnit.SECONDS);
            assertEquals(blocking.aiMessage().text(), streamed.aiMessage().text());
            assertEquals(streamed.aiMessage().text(), String.join("", c.partials));
            assertTrue(streamed.tokenUsage().inputTokenCount() > 0);
        }
    }
}
