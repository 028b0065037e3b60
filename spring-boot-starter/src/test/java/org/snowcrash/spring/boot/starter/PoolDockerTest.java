package org.snowcrash.spring.boot.starter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.snowcrash.backend.docker.RequiresDocker;
import org.snowcrash.models.UnknownModelException;
import org.snowcrash.spring.ai.SnowcrashChatModel;
import org.snowcrash.spring.ai.SnowcrashChatOptions;
import org.snowcrash.spring.boot.SnowcrashHealthIndicator;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

/** {@code snowcrash.spring.pool=true}: the request's model option picks the catalog model; closing removes the pool's containers. */
@RequiresDocker
class PoolDockerTest {

    @Test
    void thePoolServesTheModelTheOptionsNameAndRefusesAnUnknownOne() throws Exception {
        List<String> args = new ArrayList<>(List.of(DockerApplicationTest.dockerArgs()));
        args.add("--snowcrash.spring.pool=true");
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(RobotApplication.class)
                .web(WebApplicationType.NONE).run(args.toArray(String[]::new))) {
            ChatClient chat = context.getBean(ChatClient.Builder.class).build();
            ChatResponse r = chat.prompt().user("hello").options(SnowcrashChatOptions.builder().model("demo")).call().chatResponse();
            assertEquals("docker", r.getMetadata().get(SnowcrashChatModel.METADATA_BACKEND));
            assertEquals("demo", r.getMetadata().getModel());

            RuntimeException unknown = assertThrows(RuntimeException.class,
                    () -> chat.prompt().user("hello").options(SnowcrashChatOptions.builder().model("nope")).call().content());
            assertTrue(causes(unknown, UnknownModelException.class), unknown.toString());

            Health health = context.getBean(SnowcrashHealthIndicator.class).health();
            assertEquals(Status.UP, health.getStatus(), health.toString());
            @SuppressWarnings("unchecked")
            Map<String, Object> demo = (Map<String, Object>) health.getDetails().get("demo");
            assertEquals("docker", demo.get("backend"));
        }
        assertEquals("", Docker.ours(), "the pool's containers are removed when the context closes");
    }

    private static boolean causes(Throwable t, Class<?> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
