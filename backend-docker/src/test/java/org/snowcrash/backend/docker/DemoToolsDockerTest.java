package org.snowcrash.backend.docker;


import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolFormat;
import org.snowcrash.demo.DemoModel;

/**
 * Snowcrash's own tool format ({@link ToolFormat#SNOWCRASH}) with the trained demo model in
 * llama-server: the tools are written into the system message, calls read back out of the text.
 */
@RequiresDocker
class DemoToolsDockerTest extends ToolsOnServer {

    @TempDir
    static Path dir;
    private static RunningModel model;

    @BeforeAll
    static void start() throws Exception {
        Path file = dir.resolve("demo/snowcrash-demo.gguf");
        DemoModel.install(file);
        DockerTestSupport.TestModel m = DockerTestSupport.model(ModelSpec.builder("demo", file)
                .startupTimeout(Duration.ofSeconds(90)).toolFormat(ToolFormat.SNOWCRASH).build(), "tools-demo");
        model = RunningModel.builder().settings(m.settings()).spec(m.spec()).backend("docker").start();
    }

    @AfterAll
    static void stop() {
        DockerTestSupport.closeAndRemoveOwnContainers(model);
    }

    @Override
    RunningModel model() {
        return model;
    }

    @Override
    int callTokens() {
        return 160;
    }

    @Override
    boolean promptHoldsTools() {
        return true;
    }

    /** Trained on the format: asked to move, it calls move with the distance, without being forced. */
    @Test
    void callsTheToolItWasAskedToUse() throws Exception {
        for (ChatResponse r : both(ask("Move forward 2 meters.", 48).withTools(TOOLS, ToolChoice.AUTO))) {
            assertEquals(FinishReason.TOOL_CALLS, r.finishReason(), r.toString());
            assertEquals("move", r.toolCalls().get(0).name());
            assertEquals(2, json(r.toolCalls().get(0).arguments()).path("meters").asInt(), r.toolCalls().toString());
        }
    }
}
