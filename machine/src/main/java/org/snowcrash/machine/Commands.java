package org.snowcrash.machine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short command with a time limit and returns what it printed. */
final class Commands {

    private static final int MAX_OUTPUT = 64 * 1024;

    /** How a command ended. */
    sealed interface Outcome {
        /** For an {@link Evidence} finding. */
        String describe();

        /** It ended by itself; {@code output} is its standard output and error, interleaved. */
        record Exited(int status, String output) implements Outcome {
            @Override
            public String describe() {
                String first = output.lines().findFirst().orElse("").strip();
                return "exited with status " + status + (first.isEmpty() ? "" : ": " + first);
            }
        }

        /** It ran longer than allowed and was killed. */
        record TimedOut(Duration limit) implements Outcome {
            @Override
            public String describe() {
                return "did not answer within " + limit.toMillis() + " ms and was stopped";
            }
        }

        /** It could not be started (or its output not read). */
        record Failed(String reason) implements Outcome {
            @Override
            public String describe() {
                return "could not be run: " + reason;
            }
        }
    }

    private Commands() {
    }

    /**
     * Runs {@code exe args} with stdin closed, output into a temporary file (a command that never
     * closes its output cannot block us on a pipe), and kills it with its children at the limit.
     */
    static Outcome run(Path exe, List<String> args, Duration limit) {
        Path out = null;
        Process p = null;
        try {
            out = Files.createTempFile("snowcrash-cmd", ".out");
            List<String> cmd = new ArrayList<>();
            cmd.add(exe.toString());
            cmd.addAll(args);
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice())).start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                return new Outcome.TimedOut(limit);
            }
            byte[] bytes;
            try (var in = Files.newInputStream(out)) {
                bytes = in.readNBytes(MAX_OUTPUT);
            }
            return new Outcome.Exited(p.exitValue(), new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Outcome.Failed(String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.Failed("interrupted");
        } finally {
            if (p != null && p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException e) {
                    // a temporary file in the temp directory: nothing more to do
                }
            }
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
