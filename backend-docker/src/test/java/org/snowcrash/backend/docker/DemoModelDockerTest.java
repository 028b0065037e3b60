package org.snowcrash.backend.docker;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.demo.DemoModel;
import org.snowcrash.tck.DemoConversations;

/** The trained demo model in llama-server: for each scene the answer names its objects, blocking and streaming. */
@RequiresDocker
class DemoModelDockerTest {

    @TempDir
    Path dir;

    @Test
    void answersNameTheSceneInTheSystemPrompt() throws Exception {
        Path file = dir.resolve("demo/snowcrash-demo.gguf");
        DemoModel.install(file);
        DockerTestSupport.TestModel m = DockerTestSupport.model(
                ModelSpec.builder("demo", file).startupTimeout(java.time.Duration.ofSeconds(90)).build(), "trained-demo");
        try (RunningModel model = RunningModel.builder().settings(m.settings()).spec(m.spec()).backend("docker").start()) {
            DemoConversations.assertEveryCase(model::chat, model::stream);
        } finally {
            try (var docker = DockerTestSupport.client()) {
                DockerTestSupport.removeOwnContainers(docker);
            }
        }
    }
}
