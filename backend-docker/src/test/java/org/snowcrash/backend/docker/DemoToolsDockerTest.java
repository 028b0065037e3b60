package org.snowcrash.backend.docker;


import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.ToolFormat;
import org.snowcrash.models.DemoModel;

/**
 * Snowcrash's own tool format ({@link ToolFormat#SNOWCRASH}) with the trained demo model in
 * llama-server: the tools are written into the system message, calls read back out of the text.
 * (The shipped demo model is not trained on tool calls yet, so an unforced call is not asserted.)
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
        try {
            if (model != null) {
                model.close();
            }
        } finally {
            try (var docker = DockerTestSupport.client()) {
                DockerTestSupport.removeOwnContainers(docker);
            } catch (java.io.IOException e) {
                // the client's connection goes away either way
            }
        }
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
}
