package org.snowcrash.backend.docker;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks tests that need a real Docker engine and the llama-server test image. Without them the
 * tests are skipped with a loud reason, unless {@code SNOWCRASH_REQUIRE_DOCKER=true} (set by
 * {@code .ci/run}), which turns the skip into a failure.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(DockerCondition.class)
public @interface RequiresDocker {
}
