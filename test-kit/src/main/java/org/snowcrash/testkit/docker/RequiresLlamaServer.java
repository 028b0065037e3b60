package org.snowcrash.testkit.docker;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.snowcrash.testkit.Skip;

/**
 * Marks tests that run a real llama-server from the test image (through the {@code docker}
 * command). Without an engine or the image they are skipped with a loud reason, unless
 * {@code SNOWCRASH_REQUIRE_DOCKER=true} (set by {@code .ci/run}), which makes that a failure.
 * JUnit is a provided dependency of the test kit: only test trees, which have it, use this.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresLlamaServer.Condition.class)
public @interface RequiresLlamaServer {

    /** See {@link RequiresLlamaServer}. */
    final class Condition implements ExecutionCondition {
        private static volatile String problem;

        /** Why no llama-server container can run here (no engine, no image), or empty when one can; asked once per JVM. */
        public static String problem() {
            String p = problem;
            if (p == null) {
                Sh.Result r = Sh.run("docker", "image", "inspect", "--format", "{{.Id}}", LlamaServerContainer.IMAGE);
                p = r.ok() ? "" : "the test image " + LlamaServerContainer.IMAGE + " or a Docker engine is missing: "
                        + r.output().strip();
                problem = p;
            }
            return p;
        }

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return Skip.evaluate("no Docker", problem(), context.getDisplayName());
        }
    }
}
