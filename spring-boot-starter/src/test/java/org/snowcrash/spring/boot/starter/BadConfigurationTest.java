package org.snowcrash.spring.boot.starter;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.snowcrash.backend.docker.DockerCondition;
import org.snowcrash.spring.boot.SnowcrashStartException;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Bad values in {@code application-<profile>.yml} fail the application's start with Spring Boot's failure report naming the key, and
 * leave nothing behind: no context, no container.
 */
@ExtendWith(OutputCaptureExtension.class)
class BadConfigurationTest {

    /** Starts the test application with these arguments and returns what made it fail; Boot's report is in {@code output}. */
    private static Throwable failedStart(String... args) {
        List<String> all = new ArrayList<>(List.of("--snowcrash.backend.docker.image=" + DockerCondition.IMAGE,
                "--snowcrash.backend.docker.labels=" + Docker.RUN_LABEL));
        all.addAll(List.of(args));
        return assertThrows(RuntimeException.class, () -> new SpringApplicationBuilder(RobotApplication.class)
                .web(WebApplicationType.NONE).run(all.toArray(String[]::new)).close());
    }

    private static void assertReport(CapturedOutput output, String... expected) throws Exception {
        String out = output.getAll();
        assertTrue(out.contains("APPLICATION FAILED TO START"), out);
        for (String e : expected) {
            assertTrue(out.contains(e), "the report says '" + e + "':\n" + out);
        }
        if (Docker.available()) {
            org.junit.jupiter.api.Assertions.assertEquals("", Docker.ours(), "no container left behind");
        }
    }

    private static boolean causedBySnowcrash(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SnowcrashStartException) {
                return true;
            }
        }
        return false;
    }

    @Test
    void anUnknownBackendNamesTheKey(CapturedOutput output) throws Exception {
        assertTrue(causedBySnowcrash(failedStart("--spring.profiles.active=bad-backend")));
        assertReport(output, "snowcrash.spring.backend=dokcer", "no backend with id 'dokcer'");
    }

    @Test
    void aBadSizeNamesTheKeyAndWhereItWasSet(CapturedOutput output) throws Exception {
        assertTrue(causedBySnowcrash(failedStart("--spring.profiles.active=bad-size")));
        assertReport(output, "snowcrash.model.demo.ctx-size=lots", "class path resource [application-bad-size.yml] - 4:17");
    }

    @Test
    void aMissingModelFileNamesTheKey(CapturedOutput output) throws Exception {
        assertTrue(causedBySnowcrash(failedStart("--spring.profiles.active=missing-file")));
        assertReport(output, "snowcrash.model.robot.file", "missing.gguf");
    }
}
