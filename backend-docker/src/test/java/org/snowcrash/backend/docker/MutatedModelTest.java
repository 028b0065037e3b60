package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.testkit.TinyLlama;

import com.github.dockerjava.api.DockerClient;

/**
 * Damaged model files given straight to llama-server in its container (past our own validation):
 * each start either serves or fails with a typed error; the JVM survives and nothing is left.
 */
@RequiresDocker
class MutatedModelTest {

    @TempDir
    Path dir;

    @Test
    void damagedFilesFailCleanlyInTheContainer() throws Exception {
        Path good = dir.resolve("good.gguf");
        TinyLlama.demo().write(good);
        byte[] bytes = Files.readAllBytes(good);
        Random r = new Random(42);
        List<String> outcomes = new ArrayList<>();
        DockerBackend backend = new DockerBackend();
        for (int i = 0; i < 8; i++) {
            byte[] b = Arrays.copyOf(bytes, bytes.length);
            if (i % 2 == 0) {
                b = Arrays.copyOf(b, 64 + r.nextInt(bytes.length / 2)); // truncated
            } else {
                for (int k = 0; k < 20; k++) {
                    b[r.nextInt(4096)] ^= (byte) (1 << r.nextInt(8)); // flipped bits in the header
                }
            }
            Path file = dir.resolve("m" + i + ".gguf");
            Files.write(file, b);
            DockerTestSupport.TestModel spec = DockerTestSupport.model(
                    ModelSpec.builder("m" + i, file).startupTimeout(Duration.ofSeconds(60)).build(), "mutated");
            try (ModelSession s = backend.start(spec.spec(), spec.context())) {
                outcomes.add("started (" + s.info().detail() + ")");
            } catch (BackendStartException e) {
                outcomes.add(e.failure().getClass().getSimpleName());
            }
            try (DockerClient docker = DockerTestSupport.client()) {
                assertFalse(docker.listContainersCmd().withShowAll(true).withNameFilter(List.of(spec.containerName())).exec()
                        .stream().anyMatch(c -> List.of(c.getNames()).contains("/" + spec.containerName())), "nothing left after " + i);
            }
        }
        assertEquals(8, outcomes.size(), outcomes.toString());
        System.err.println("mutated model outcomes: " + outcomes);
    }
}
