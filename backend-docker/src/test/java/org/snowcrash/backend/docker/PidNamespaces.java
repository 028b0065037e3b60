package org.snowcrash.backend.docker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.snowcrash.testkit.Skip;


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
        Skip.unless("no pid namespaces", why == null ? "" : "pid namespaces cannot be made: " + why);
    }
}
