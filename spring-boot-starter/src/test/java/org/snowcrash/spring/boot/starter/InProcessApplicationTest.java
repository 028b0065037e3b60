package org.snowcrash.spring.boot.starter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.snowcrash.spring.ai.SnowcrashChatModel;
import org.snowcrash.spring.boot.SnowcrashRuntime;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The test application with the starter's real auto-configuration, the demo model served
 * in-process (java-llama.cpp), a real web server on a random port. One context for every test.
 */
@SpringBootTest(classes = RobotApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "snowcrash.spring.backend=llamacpp")
class InProcessApplicationTest {

    @Autowired
    ChatClient.Builder chatClientBuilder;
    @Autowired
    ChatModel chatModel;
    @Autowired
    SnowcrashRuntime runtime;
    @LocalServerPort
    int port;

    @Test
    void theStarterGivesTheApplicationASnowcrashChatModelStartedEagerly() {
        assertInstanceOf(SnowcrashChatModel.class, chatModel);
        assertEquals("llamacpp", runtime.model().info().backendId(), "started with the context");
    }

    @Test
    void aChatClientPromptGetsAnAnswerWithItsMetadata() {
        ApplicationChecks.answers(chatClientBuilder.build(), "llamacpp");
    }

    @Test
    void streamingDeliversWhatABlockingCallReturns() {
        ApplicationChecks.streams(chatClientBuilder.build());
    }

    @Test
    void entityGivesARecordFromASchemaConstrainedAnswer() {
        ApplicationChecks.structured(chatClientBuilder.build());
    }

    @Test
    void theDemoModelCallsAToolMethodThroughSpringAisOwnLoop(@Autowired RobotApplication.RobotTools tools) {
        ApplicationChecks.callsTheRobotTools(chatClientBuilder.build(), tools);
    }

    @Test
    void theDemoModelCallsAToolMethodOverAStreamToo(@Autowired RobotApplication.RobotTools tools) {
        ApplicationChecks.callsTheRobotToolsStreaming(chatClientBuilder.build(), tools);
    }

    @Test
    void actuatorServesHealthAndMetricsOverHttp() throws Exception {
        ApplicationChecks.answers(chatClientBuilder.build(), "llamacpp"); // at least one request observed
        ApplicationChecks.actuator(port, "llamacpp", "UP");
        assertTrue(ApplicationChecks.get(port, "/actuator/health").path("components").path("snowcrash").path("details")
                .path("demo").path("attempts").get(0).asText().startsWith("llamacpp"));
    }
}
