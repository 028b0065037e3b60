package org.snowcrash.spring.boot.starter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import org.snowcrash.backend.docker.DockerCondition;
import org.snowcrash.backend.docker.RequiresDocker;
import org.snowcrash.spring.boot.SnowcrashRuntime;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The test application on Docker (the demo model in a llama-server container), started as a user
 * starts it, with a real web server; closed, it leaves no container behind.
 */
@RequiresDocker
class DockerApplicationTest {

    static String[] dockerArgs() {
        return new String[] {"--server.port=0", "--snowcrash.spring.backend=docker",
                "--snowcrash.backend.docker.image=" + DockerCondition.IMAGE,
                "--snowcrash.backend.docker.labels=" + Docker.RUN_LABEL,
                "--snowcrash.model.demo.container=snowcrash-test-spring-" + ProcessHandle.current().pid()};
    }

    @Test
    void onDockerTheApplicationAnswersStreamsReportsAndLeavesNoContainerWhenClosed() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(RobotApplication.class).run(dockerArgs());
        try {
            assertEquals("docker", context.getBean(SnowcrashRuntime.class).model().info().backendId());
            assertFalse(Docker.ours().isEmpty(), "the model's container runs, with the test's label");
            ChatClient chat = context.getBean(ChatClient.Builder.class).build();
            ApplicationChecks.answers(chat, "docker");
            ApplicationChecks.streams(chat);
            ApplicationChecks.structured(chat);
            ApplicationChecks.callsTheRobotTools(chat, context.getBean(RobotApplication.RobotTools.class));
            ApplicationChecks.callsTheRobotToolsStreaming(chat, context.getBean(RobotApplication.RobotTools.class));
            int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
            ApplicationChecks.actuator(port, "docker", "UP");
        } finally {
            context.close();
        }
        // close() has returned: the container must be gone now, not eventually.
        assertEquals("", Docker.ours(), "no container left after the context closed");
    }
}
