package org.snowcrash.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.models.MemoryEstimator;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.models.gguf.GgufReader;

/** {@code inspect} and {@code models} print the memory estimate, run as a user runs them. */
class MemoryEstimateCliTest {

    @TempDir
    Path dir;

    @Test
    void inspectPrintsTheEstimateForTheGivenContext() throws Exception {
        Path model = dir.resolve("m.gguf");
        TinyLlama.timing().write(model);
        Cli.Result r = Cli.run(dir, "inspect", model.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().lines().anyMatch(("memory estimate: ~68.3 MiB (weights 52.6 MiB, KV cache 8.0 MiB, compute 3.6 MiB,"
                + " runtime 4.0 MiB) with -c 512 -b 128")::equals), r.out());

        Cli.Result big = Cli.run(dir, "inspect", "--ctx-size", "2048", model.toString());
        String expected = "memory estimate: " + MemoryEstimator.estimate(GgufReader.read(model), MemoryEstimator.Settings.of(2048, 128))
                .describe() + " with -c 2048 -b 128";
        assertTrue(big.out().lines().anyMatch(expected::equals), expected + " in\n" + big.out());
        assertTrue(expected.contains("KV cache 32.0 MiB"), expected);
    }

    @Test
    void modelsPrintsTheEstimateOfPresentFilesAndAutoLayers() throws Exception {
        Path demo = dir.resolve("models/demo/snowcrash-demo.gguf");
        TinyLlama.demo().write(demo);
        Cli.Result r = Cli.run(dir, "models", "-D", "model.demo.gpu-layers=auto");
        assertEquals(0, r.exitCode(), r.err());
        String line = r.out().lines().filter(l -> l.startsWith("demo ")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        String estimate = MemoryEstimator.estimate(GgufReader.read(demo), MemoryEstimator.Settings.of(512, 128)).describe();
        assertTrue(line.contains("-ngl auto -c 512 -b 128: present"), line);
        assertTrue(line.endsWith(Files.size(demo) + " bytes, memory " + estimate), line);
        assertTrue(r.out().contains("-c 512 -b 128: missing"), "absent files have no estimate: " + r.out());
    }
}
