package org.snowcrash.spring.boot.starter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.snowcrash.spring.boot.SnowcrashHealthIndicator;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A lazy start that falls back: the Docker backend is given an image that does not exist (so it
 * fails for real, or is unavailable without an engine), and the in-process backend serves. The
 * health says so, and the metrics count the fallback.
 */
class LazyFallbackTest {

    @Test
    void aLazyModelStartsOnTheFirstRequestAndReportsItsFallbackAsDegraded() throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(RobotApplication.class)
                .web(WebApplicationType.NONE).run("--snowcrash.spring.startup=lazy",
                        "--snowcrash.backend.docker.image=snowcrash/no-such-image:none",
                        "--snowcrash.backend.docker.labels=" + Docker.RUN_LABEL)) {
            SnowcrashHealthIndicator health = context.getBean(SnowcrashHealthIndicator.class);
            assertEquals(Status.UNKNOWN, health.health().getStatus(), "nothing started before the first request");

            ChatClient chat = context.getBean(ChatClient.Builder.class).build();
            ApplicationChecks.answers(chat, "llamacpp");

            Health after = health.health();
            assertEquals(SnowcrashHealthIndicator.DEGRADED, after.getStatus(), after.toString());
            @SuppressWarnings("unchecked")
            Map<String, Object> demo = (Map<String, Object>) after.getDetails().get("demo");
            assertEquals("llamacpp", demo.get("backend"));
            @SuppressWarnings("unchecked")
            List<String> fallbacks = (List<String>) demo.get("fallbacks");
            assertTrue(fallbacks.get(0).startsWith("docker"), fallbacks.toString());

            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertEquals(1.0, meters.get("snowcrash.lifecycle.events").tags("event", "fallback", "backend", "docker", "model", "demo")
                    .functionCounter().count());
            assertEquals(1.0, meters.get("snowcrash.model.degraded").tag("model", "demo").gauge().value());
        }
        if (Docker.available()) {
            assertEquals("", Docker.ours(), "nothing left behind");
        }
    }
}
