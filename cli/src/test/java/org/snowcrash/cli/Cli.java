package org.snowcrash.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Runs the snowcrash command in a child JVM, as a user would, and collects what it printed. */
final class Cli {

    record Result(int exitCode, String out, String err, boolean endedByItself) {
    }

    private Cli() {
    }

    /** Whether this machine's {@code env} can reset signals (GNU coreutils 8.31 and later). */
    private static final boolean DEFAULT_SIGNALS = envResetsSignals();

    private static boolean envResetsSignals() {
        try {
            Process p = new ProcessBuilder("env", "--default-signal=INT", "true").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static ProcessBuilder builder(Path workDir, Map<String, String> env, List<String> jvmArgs, String... args) {
        List<String> cmd = new ArrayList<>();
        // As a terminal starts it: Ctrl-C and Ctrl-\ act. A build started in the background by a
        // script without job control (`cmd &`) has SIGINT and SIGQUIT ignored, and an ignored
        // signal stays ignored across exec, so the Ctrl-C tests would test that, not the command.
        if (DEFAULT_SIGNALS) {
            cmd.addAll(List.of("env", "--default-signal=INT,QUIT"));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:-UsePerfData"); // as bin/snowcrash runs it
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
        // The child must not see this machine's snowcrash settings, only the test's.
        pb.environment().keySet().removeIf(k -> k.startsWith("SNOWCRASH_") || k.equals("DOCKER_HOST"));
        pb.environment().putAll(env);
        return pb;
    }

    static Result run(Path workDir, Map<String, String> env, List<String> jvmArgs, Duration limit, String... args)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(workDir, "out", ".txt");
        Path err = Files.createTempFile(workDir, "err", ".txt");
        Process p = builder(workDir, env, jvmArgs, args)
                .redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        boolean ended = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor();
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8), ended);
    }

    static Result run(Path workDir, String... args) throws IOException, InterruptedException {
        return run(workDir, Map.of(), List.of(), Duration.ofSeconds(90), args);
    }

    /**
     * The lines a running child writes to a stream, read on a thread of their own (and echoed
     * with a {@code [child]} prefix for the test log), so a test waits for a line, not for time.
     */
    static final class Lines {
        private final List<String> lines = new ArrayList<>();
        private boolean ended;

        private Lines() {
        }

        static Lines follow(InputStream stream) {
            Lines l = new Lines();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        System.err.println("[child] " + line);
                        l.add(line);
                    }
                } catch (IOException e) {
                    // the child went away
                } finally {
                    l.end();
                }
            }, "child-lines");
            reader.setDaemon(true);
            reader.start();
            return l;
        }

        private synchronized void add(String line) {
            lines.add(line);
            notifyAll();
        }

        private synchronized void end() {
            ended = true;
            notifyAll();
        }

        /**
         * Waits until a line at index {@code from} or later matches and returns its index, or -1
         * when the stream ended or {@code limit} passed first.
         */
        synchronized int await(Predicate<String> wanted, int from, Duration limit) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            for (int i = from; ; ) {
                for (; i < lines.size(); i++) {
                    if (wanted.test(lines.get(i))) {
                        return i;
                    }
                }
                long left = deadline - System.nanoTime();
                if (ended || left <= 0) {
                    return -1;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        /** Every line so far. */
        synchronized List<String> all() {
            return List.copyOf(lines);
        }
    }
}
