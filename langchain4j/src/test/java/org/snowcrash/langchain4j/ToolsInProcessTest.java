package org.snowcrash.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.api.ToolFormat;
import org.snowcrash.demo.DemoModel;
import org.snowcrash.testkit.TinyLlama;

/**
 * LangChain4j's AI Services in this JVM on the in-process backend (java-llama.cpp): the robot's
 * {@code @Tool} loop on the trained demo model, and record answers held to their schema by
 * constrained generation even on a model with random weights.
 */
class ToolsInProcessTest {

    private static RunningModel random;
    private static RunningModel demo;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("lc4j-tools");
        Path noise = dir.resolve("random.gguf");
        TinyLlama.demo().write(noise);
        random = RunningModel.builder().settings(Settings.empty())
                .spec(ModelSpec.builder("random", noise).contextSize(512).gpuLayers(0).build()).backend("llamacpp").start();
        Path trained = dir.resolve("demo.gguf");
        DemoModel.install(trained);
        demo = RunningModel.builder().settings(Settings.empty())
                .spec(ModelSpec.builder("demo", trained).contextSize(512).gpuLayers(0).toolFormat(ToolFormat.SNOWCRASH).build())
                .backend("llamacpp").start();
    }

    @AfterAll
    static void stop() {
        if (random != null) {
            random.close();
        }
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    void theInProcessBackendDeclaresToolsAndSchemas() {
        assertEquals("llamacpp", demo.info().backendId());
        assertTrue(demo.capabilities().containsAll(java.util.Set.of(Capability.TOOLS, Capability.JSON_SCHEMA)), demo.capabilities().toString());
    }

    @Test
    void aRecordAnswerIsSchemaValidWhateverTheWeights() throws Exception {
        RobotScenario.recordBlocking(random);
    }

    @Test
    void aStreamedJsonSchemaAnswerIsSchemaValidWhateverTheWeights() throws Exception {
        RobotScenario.recordStreaming(random);
    }

    @Test
    void aRequiredCallIsAValidCallWhateverTheWeights() throws Exception {
        RobotScenario.requiredCall(random);
    }

    @Test
    void theDemoModelDrivesThroughLangChain4jsToolLoop() {
        RobotScenario.driveBlocking(demo);
    }

    @Test
    void theDemoModelDrivesThroughATokenStream() throws Exception {
        RobotScenario.driveStreaming(demo);
    }
}
