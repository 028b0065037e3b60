package org.snowcrash.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ToolFormat;
import org.snowcrash.backend.docker.RequiresDocker;
import org.snowcrash.demo.DemoModel;

/**
 * LangChain4j's AI Services in this JVM on the Docker backend (Debian's llama-server in a container):
 * the robot's {@code @Tool} loop on the trained demo model, blocking and streaming, and a record
 * answer held to its schema by the server's constrained generation.
 */
@RequiresDocker
class ToolsDockerTest {

    private static SnowcrashLangChain4jDockerTest.DockerDemo spec;
    private static RunningModel demo;

    @BeforeAll
    static void start() throws Exception {
        spec = SnowcrashLangChain4jDockerTest.demo("snowcrash-test-lc4j-tools", DemoModel::install, ToolFormat.SNOWCRASH);
        demo = RunningModel.builder().settings(spec.settings()).spec(spec.spec()).backend("docker").start();
    }

    @AfterAll
    static void stop() {
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    void theDockerBackendDeclaresToolsAndSchemas() {
        assertEquals("docker", demo.info().backendId());
        assertTrue(demo.capabilities().containsAll(Set.of(Capability.TOOLS, Capability.JSON_SCHEMA)), demo.capabilities().toString());
    }

    @Test
    void aRecordAnswerIsSchemaValid() throws Exception {
        RobotScenario.recordBlocking(demo);
    }

    @Test
    void aStreamedJsonSchemaAnswerIsSchemaValid() throws Exception {
        RobotScenario.recordStreaming(demo);
    }

    @Test
    void aRequiredCallIsAValidCallWhateverTheWeights() throws Exception {
        RobotScenario.requiredCall(demo);
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
