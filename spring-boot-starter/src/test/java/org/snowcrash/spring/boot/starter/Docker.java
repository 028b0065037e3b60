package org.snowcrash.spring.boot.starter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The {@code docker} command, to see containers as a user of the machine sees them. */
final class Docker {

    /** The label every container of this test JVM carries (set by {@code snowcrash.backend.docker.labels}). */
    static final String RUN_LABEL = "snowcrash-test.run=spring-" + ProcessHandle.current().pid();

    private Docker() {
    }

    /** Ids of every container, running or not, that Snowcrash made for this test JVM. */
    static String ours() throws Exception {
        return run("ps", "-aq", "--filter", "label=org.snowcrash.tool=snowcrash", "--filter", "label=" + RUN_LABEL);
    }

    /** Whether a Docker engine answers here. */
    static boolean available() {
        try {
            run("info", "--format", "{{.ServerVersion}}");
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Runs the docker command and returns what it printed. */
    static String run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("docker " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }
}
