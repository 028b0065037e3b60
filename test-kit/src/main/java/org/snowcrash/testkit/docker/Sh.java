package org.snowcrash.testkit.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command for the test fixtures ({@code docker}, {@code ip}, {@code openssl}) and returns its
 * exit status and output; never throws for a failed command, gives up after 60 seconds.
 */
public final class Sh {

    /** What a command printed (stdout and stderr together) and how it ended. */
    public record Result(int status, String output) {
        public boolean ok() {
            return status == 0;
        }
    }

    private Sh() {
    }

    public static Result run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + cmd);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    public static Result run(String... cmd) {
        return run(List.of(cmd));
    }

    /** Runs and fails the test with the command's output when it does not succeed. */
    public static String must(String... cmd) {
        Result r = run(cmd);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (" + r.status() + "): " + r.output());
        }
        return r.output();
    }
}
