package org.snowcrash.backend.docker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/** Whether this machine lets the test account make pid namespaces (unprivileged user namespaces). */
final class PidNamespaces {

    private PidNamespaces() {
    }

    /** Skips loudly when {@code unshare} cannot make the namespaces here, fails instead under CI's requirement. */
    static void requireUsable(List<String> unshare) throws Exception {
        List<String> cmd = new ArrayList<>(unshare);
        cmd.add("true");
        String why;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            why = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? null : "unshare failed: " + out.strip();
        } catch (java.io.IOException e) {
            why = "unshare cannot run: " + e.getMessage();
        }
        if (why == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv(DockerCondition.REQUIRE))) {
            throw new IllegalStateException(DockerCondition.REQUIRE + "=true but pid namespaces cannot be made: " + why);
        }
        System.err.println("!!! SKIPPED (no pid namespaces): " + why);
        Assumptions.abort("SKIPPED (no pid namespaces): " + why);
    }
}
