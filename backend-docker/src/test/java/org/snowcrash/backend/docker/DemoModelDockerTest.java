package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.models.DemoModel;
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
            for (DemoConversations.Case c : DemoConversations.CASES) {
                ChatResponse blocking = model.chat(c.request());
                StringBuilder pieces = new StringBuilder();
                ChatResponse streamed = model.stream(c.request(), pieces::append, new Cancellation());
                String answer = blocking.text().toLowerCase(Locale.ROOT);
                for (String word : c.expected()) {
                    assertTrue(answer.contains(word), c.question() + " with " + c.system() + " -> " + blocking.text());
                }
                assertEquals(blocking.text(), streamed.text(), "greedy: blocking and streaming say the same");
                assertEquals(streamed.text(), pieces.toString());
            }
        } finally {
            try (var docker = DockerTestSupport.client()) {
                DockerTestSupport.removeOwnContainers(docker);
            }
        }
    }
}
