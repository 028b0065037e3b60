package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.snowcrash.testkit.TinyLlama;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;

/**
 * A process that ends at a defined point of a model's start (before the container is created,
 * after, while the model loads, once it is ready) leaves nothing behind: by {@code System.exit}
 * (the shutdown hook) and by SIGKILL (no hook runs: the container ends with the attach connection),
 * including for two processes that are both pid 1 in their own pid namespaces. The points are
 * reached through the backend's own progress events (see {@link DieAtPoint}), never by timing.
 */
@RequiresDocker
class ProcessDeathTest {

    /** The bound for "nothing left" after a kill, with no other command run. */
    private static final long GONE_WITHIN_MS = 15_000;

    @TempDir
    Path dir;

    private DockerClient docker;
    private final List<Process> children = new ArrayList<>();

    @BeforeEach
    void connect() throws IOException {
        docker = DockerTestSupport.client();
        TinyLlama.demo().write(dir.resolve("demo.gguf"));
    }

    @AfterEach
    void cleanUp() throws IOException {
        children.forEach(Process::destroyForcibly);
        DockerTestSupport.removeOwnContainers(docker);
        docker.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"CREATING", "CREATED", "LOADING", "READY"})
    void anExitAtEachLifecyclePointLeavesNoContainer(String point) throws Exception {
        String run = UUID.randomUUID().toString();
        Child child = spawn(List.of(), point, "exit", run);
        child.awaitLine(point);
        assertTrue(child.process.waitFor(60, TimeUnit.SECONDS), "the child ended");
        // The shutdown hook removed the container before the process ended.
        assertEquals(List.of(), containers(run), "containers left after an exit at " + point);
        assertEquals(List.of(), tempFiles(child.tmp), "temp files left");
    }

    @ParameterizedTest
    @ValueSource(strings = {"LOADING", "READY"})
    void aSigkillAtEachLifecyclePointLeavesNoContainer(String point) throws Exception {
        String run = UUID.randomUUID().toString();
        Child child = spawn(List.of(), point, "wait", run);
        child.awaitLine(point);
        assertEquals(1, containers(run).size(), "the container exists when the kill comes");
        child.process.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertTrue(child.process.waitFor(30, TimeUnit.SECONDS));
        awaitNoContainers(run, "after SIGKILL at " + point);
        assertEquals(List.of(), tempFiles(child.tmp), "temp files left");
    }

    @Test
    void twoProcessesWithTheSamePidInTwoPidNamespacesKeepTheirOwnContainers() throws Exception {
        List<String> unshare = List.of("unshare", "--user", "--map-root-user", "--pid", "--fork", "--mount-proc", "--kill-child");
        PidNamespaces.requireUsable(unshare);
        String runA = UUID.randomUUID().toString();
        String runB = UUID.randomUUID().toString();
        Child a = spawn(unshare, "READY", "wait", runA);
        Child b = spawn(unshare, "READY", "wait", runB);
        String pidA = a.awaitLine("PID ");
        String pidB = b.awaitLine("PID ");
        assertEquals(pidA, pidB, "both children have the same pid in their own namespaces");
        a.awaitLine("READY");
        b.awaitLine("READY");
        Container containerB = containers(runB).get(0);
        assertEquals(containers(runA).get(0).getLabels().get(Labels.PID), containerB.getLabels().get(Labels.PID),
                "the pid labels are equal too: only the owner id tells them apart");

        a.process.destroyForcibly(); // SIGKILL to unshare; --kill-child takes the namespace's pid 1 with it
        assertTrue(a.process.waitFor(30, TimeUnit.SECONDS));
        awaitNoContainers(runA, "after the first twin was killed");

        assertEquals("running", docker.inspectContainerCmd(containerB.getId()).exec().getState().getStatus());
        assertEquals("ANSWER 4", b.ask("still there?"), "the twin's model keeps answering");
        b.stdin.close();
        assertTrue(b.process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(List.of(), containers(runB));
    }

    /** A child running {@link DieAtPoint}, optionally under a wrapper command. */
    private Child spawn(List<String> wrapper, String point, String action, String run) throws IOException {
        Path tmp = Files.createDirectories(dir.resolve("tmp-" + run));
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "-Djava.io.tmpdir=" + tmp,
                "-cp", System.getProperty("java.class.path"), DieAtPoint.class.getName(),
                dir.resolve("demo.gguf").toString(), String.valueOf(DockerTestSupport.freePort()),
                "snowcrash-test-death-" + run.substring(0, 8), point, action, DockerCondition.IMAGE, run));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        children.add(p);
        return new Child(p, tmp);
    }

    private List<Container> containers(String run) {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(DockerTestSupport.RUN_LABEL, run)).exec();
    }

    /** Polls the engine (the state under test) until the run has no container, or fails after the bound. */
    private void awaitNoContainers(String run, String when) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GONE_WITHIN_MS);
        List<Container> left = containers(run);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            left = containers(run);
        }
        assertEquals(List.of(), left.stream().map(ContainerQueries::name).toList(),
                "containers left " + GONE_WITHIN_MS + " ms " + when);
    }

    private static List<Path> tempFiles(Path tmp) throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.toList();
        }
    }

    private static final class Child {
        final Process process;
        final Path tmp;
        final BufferedReader stdout;
        final Writer stdin;

        Child(Process process, Path tmp) {
            this.process = process;
            this.tmp = tmp;
            this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        /** Reads lines until one starts with {@code prefix}; fails if the child ends first. */
        String awaitLine(String prefix) throws IOException {
            List<String> seen = new ArrayList<>();
            for (String line; (line = stdout.readLine()) != null; ) {
                if (line.startsWith(prefix)) {
                    return line;
                }
                seen.add(line);
            }
            throw new AssertionError("the child ended before printing " + prefix + "; it printed " + seen);
        }

        String ask(String question) throws IOException {
            stdin.write(question + "\n");
            stdin.flush();
            return awaitLine("ANSWER");
        }
    }
}
