package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.models.TinyLlama;

import com.github.dockerjava.api.DockerClient;

/**
 * A process that exits at a random moment while its model starts (before, during and after the
 * container is created, while it loads, once it is ready) leaves no container behind.
 */
@RequiresDocker
class ProcessDeathTest {

    @TempDir
    Path dir;

    @Test
    void exitAtRandomMomentsDuringStartLeavesNoContainer() throws Exception {
        Path model = dir.resolve("demo.gguf");
        TinyLlama.demo().write(model);
        Random random = new Random(20261125);
        int runs = 16;
        int hitAfterCreate = 0;
        List<String> leaks = new ArrayList<>();
        try (DockerClient docker = DockerTestSupport.client()) {
            for (int i = 0; i < runs; i++) {
                String name = "snowcrash-test-exit-" + i;
                // The child creates its container about 0.5 s into main and is ready about 0.3 s later (measured).
                long delay = 300 + random.nextInt(1200);
                Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), ExitDuringStart.class.getName(), model.toString(),
                        String.valueOf(DockerTestSupport.freePort()), name, String.valueOf(delay), DockerCondition.IMAGE)
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child " + i + " ended");
                if (out.contains("CREATING")) {
                    hitAfterCreate++;
                }
                boolean left = docker.listContainersCmd().withShowAll(true).withNameFilter(List.of(name)).exec().stream()
                        .anyMatch(c -> List.of(c.getNames()).contains("/" + name));
                if (left) {
                    leaks.add(name + " (exit after " + delay + " ms; child said: " + out.replace('\n', ' ') + ")");
                    docker.removeContainerCmd(name).withForce(true).exec();
                }
            }
        }
        assertEquals(List.of(), leaks, "containers left behind");
        assertTrue(hitAfterCreate >= runs / 4, "enough exits came after the container was created: " + hitAfterCreate);
    }
}
