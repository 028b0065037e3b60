package org.snowcrash.backend.docker;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.snowcrash.testkit.Skip;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;

/** See {@link RequiresDocker}. */
public final class DockerCondition implements ExecutionCondition {

    /** The variable that turns a missing engine or image into a failure. */
    public static final String REQUIRE = Skip.REQUIRE;
    /** The test image, built by {@code .ci/llama-image.sh}. */
    public static final String IMAGE = org.snowcrash.testkit.docker.LlamaServerContainer.IMAGE;
    public static final String HOST = Optional.ofNullable(System.getenv("DOCKER_HOST")).orElse(DockerSettings.DEFAULT_SOCKET);

    private static volatile Optional<String> problem;

    static Optional<String> problem() {
        Optional<String> p = problem;
        if (p == null) {
            p = DockerEngine.whyUnreachable(DockerSettings.from(org.snowcrash.api.Settings.of(
                    java.util.Map.of("backend.docker.host", HOST), "test"), java.util.Map.of()), Duration.ofSeconds(3));
            if (p.isEmpty()) {
                try (DockerClient c = DockerEngine.client(HOST, Duration.ofSeconds(10))) {
                    c.inspectImageCmd(IMAGE).exec();
                } catch (NotFoundException e) {
                    p = Optional.of("the test image " + IMAGE + " is missing (build it with .ci/llama-image.sh)");
                } catch (Exception e) {
                    p = Optional.of("cannot inspect " + IMAGE + ": " + e);
                }
            }
            problem = p;
        }
        return p;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return Skip.evaluate("no Docker", problem().map(p -> "the Docker tests cannot run: " + p).orElse(""),
                context.getDisplayName());
    }
}
