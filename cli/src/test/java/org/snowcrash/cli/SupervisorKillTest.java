package org.snowcrash.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.backend.docker.DockerCondition;
import org.snowcrash.backend.docker.RequiresDocker;
import org.snowcrash.testkit.Skip;

/**
 * {@code snowcrash chat} on Docker, killed the way supervisors kill: SIGKILL of the process, of
 * its whole process group (a terminal's job control, {@code timeout -s KILL}), and of every
 * process in its cgroup at once (a service manager's stop). No other command runs afterwards;
 * within 15 s no container, key folder or temp file of it may remain.
 */
@RequiresDocker
class SupervisorKillTest {

    private static final long GONE_WITHIN_MS = 15_000;

    @TempDir
    Path dir;

    private final String run = UUID.randomUUID().toString();
    private final String container = "snowcrash-killtest-" + run.substring(0, 8);
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        started.forEach(Process::destroyForcibly);
        // Whatever a failed test left, only this test's containers.
        new ProcessBuilder("sh", "-c", "docker ps -aq --filter label=snowcrash-test.run=" + run
                + " | xargs -r docker rm -f").start().waitFor();
    }

    @Test
    void sigkillOfTheProcessLeavesNothing() throws Exception {
        Started s = startChat(List.of());
        kill("-KILL", String.valueOf(s.process.pid()));
        assertNothingLeft(s);
    }

    @Test
    void sigkillOfTheWholeProcessGroupLeavesNothing() throws Exception {
        // setsid makes the command a process group leader, as a terminal's job control does.
        Started s = startChat(List.of("setsid"));
        long pgid = s.process.pid();
        kill("-KILL", "--", "-" + pgid);
        assertNothingLeft(s);
    }

    @Test
    void sigkillOfEveryProcessInItsCgroupLeavesNothing() throws Exception {
        Path cgroup = Cgroups.newGroup(run);
        try {
            Started s = startChat(List.of("sh", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs") + " && exec \"$@\"", "sh"));
            assertTrue(Cgroups.pids(cgroup).contains(s.process.pid()), "the command runs in the cgroup");
            // What a service manager's stop does: SIGKILL to every pid listed, until none is left.
            for (int round = 0; round < 50; round++) {
                List<Long> pids = Cgroups.pids(cgroup);
                if (pids.isEmpty()) {
                    break;
                }
                List<String> args = new ArrayList<>(List.of("-KILL"));
                pids.forEach(p -> args.add(String.valueOf(p)));
                kill(args.toArray(new String[0]));
                s.process.waitFor(100, TimeUnit.MILLISECONDS);
            }
            assertEquals(List.of(), Cgroups.pids(cgroup));
            assertNothingLeft(s);
        } finally {
            Cgroups.remove(cgroup);
        }
    }

    private record Started(Process process, Path tmp) {
    }

    /** Starts an interactive chat on Docker (stdin stays open) and waits until it serves. */
    private Started startChat(List<String> wrapper) throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        List<String> args = List.of("chat", "--model", "demo", "--backend", "docker", "--max-tokens", "8",
                "-D", "backend.docker.image=" + DockerCondition.IMAGE, "-D", "backend.docker.gpu=off",
                "-D", "backend.docker.pull=never", "-D", "backend.docker.labels=snowcrash-test.run=" + run,
                "-D", "model.demo.container=" + container, "-D", "model.demo.port=" + freePort());
        ProcessBuilder pb = Cli.builder(dir, Map.of("TMPDIR", tmp.toString()),
                List.of("-Djava.io.tmpdir=" + tmp), args.toArray(new String[0]));
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(pb.command());
        pb.command(cmd);
        Process p = pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        started.add(p);
        assertTrue(awaitLine(p, "served-by: docker", Duration.ofSeconds(90)), "the chat started on docker");
        assertEquals(1, containers().size(), "its container runs");
        return new Started(p, tmp);
    }

    private void assertNothingLeft(Started s) throws Exception {
        assertTrue(s.process.waitFor(30, TimeUnit.SECONDS), "the command ended");
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GONE_WITHIN_MS);
        List<String> left = containers();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            left = containers();
        }
        assertEquals(List.of(), left, "containers left " + GONE_WITHIN_MS + " ms after the kill");
        try (Stream<Path> files = Files.list(s.tmp)) {
            assertEquals(List.of(), files.toList(), "temp files and key folders left");
        }
        // The launcher's JVM keeps no performance-data file that a kill would leave in /tmp.
        Path perf = Path.of("/tmp", "hsperfdata_" + System.getProperty("user.name"), String.valueOf(s.process.pid()));
        assertTrue(Files.notExists(perf), perf + " left");
    }

    private List<String> containers() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("docker", "ps", "-aq", "--filter", "label=snowcrash-test.run=" + run).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
    }

    private static void kill(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("kill"));
        cmd.addAll(List.of(args));
        Process k = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        k.getInputStream().readAllBytes();
        k.waitFor();
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the child's stderr on a thread until a line matches, for at most {@code limit}. */
    private static boolean awaitLine(Process p, String wanted, Duration limit) throws InterruptedException {
        CountDownLatch seen = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = err.readLine()) != null; ) {
                    System.err.println("[child] " + line);
                    if (line.equals(wanted)) {
                        seen.countDown();
                    }
                }
            } catch (IOException e) {
                // the child went away
            }
        });
        reader.setDaemon(true);
        reader.start();
        return seen.await(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** cgroup v1 {@code pids} groups for the test: under a folder delegated to this account, or the root as root. */
    static final class Cgroups {
        /** Set by {@code .ci/run}: a cgroup folder the unprivileged test account owns. */
        static final String DELEGATED = "SNOWCRASH_TEST_CGROUP";

        private Cgroups() {
        }

        static Path newGroup(String name) throws IOException {
            String delegated = System.getenv(DELEGATED);
            Path parent = delegated != null && !delegated.isBlank() ? Path.of(delegated) : Path.of("/sys/fs/cgroup/pids");
            Skip.unless("no cgroup", Files.isWritable(parent) ? "" : parent
                    + " is not writable by this account (run .ci/run, which delegates a cgroup via " + DELEGATED + ")");
            return Files.createDirectory(parent.resolve("snowcrash-test-" + name));
        }

        static List<Long> pids(Path group) throws IOException {
            return Files.readAllLines(group.resolve("cgroup.procs")).stream().filter(l -> !l.isBlank())
                    .map(Long::parseLong).toList();
        }

        static void remove(Path group) throws IOException {
            // A cgroup folder is removed with rmdir (its files are not real files), once it is empty.
            Files.deleteIfExists(group);
        }
    }
}
