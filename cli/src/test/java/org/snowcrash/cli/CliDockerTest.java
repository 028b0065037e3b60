package org.snowcrash.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.backend.docker.DockerCondition;
import org.snowcrash.backend.docker.RequiresDocker;
import org.snowcrash.testkit.docker.LlamaServerContainer;

/** The command with a real Docker engine: Docker first, stop on exit and on signals, stop-all. */
@RequiresDocker
class CliDockerTest {

    @TempDir
    Path dir;

    private final String container = "snowcrash-clitest-" + ProcessHandle.current().pid();
    private final int port = freePort();

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the child's stderr on a thread until a line matches, for at most {@code limit}. */
    private static boolean awaitLine(Process p, String wanted, Duration limit) throws InterruptedException {
        return Cli.Lines.follow(p.getErrorStream()).await(wanted::equals, 0, limit) >= 0;
    }

    private List<String> dockerArgs(String... more) {
        // The run's label scopes stop-all to this run's containers: other processes share the engine.
        List<String> a = new java.util.ArrayList<>(List.of("-D", "backend.docker.image=" + DockerCondition.IMAGE,
                "-D", "backend.docker.gpu=off", "-D", "model.demo.container=" + container, "-D", "model.demo.port=" + port,
                "-D", "backend.docker.labels=" + LlamaServerContainer.RUN_LABEL + "=" + LlamaServerContainer.RUN));
        a.addAll(List.of(more));
        return a;
    }

    /** Starts an interactive chat on Docker and waits until it serves; stdin stays open. */
    private Process startOnDocker() throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("chat", "--model", "demo", "--max-tokens", "8"));
        args.addAll(dockerArgs());
        Process p = Cli.builder(dir, Map.of(), List.of(), args.toArray(new String[0]))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        boolean served = awaitLine(p, "served-by: docker", Duration.ofSeconds(60));
        if (!served) {
            p.destroyForcibly().waitFor();
        }
        assertTrue(served, "the chat started on docker");
        return p;
    }

    @AfterEach
    void noContainerLeft() throws Exception {
        assertFalse(containerExists(), "container " + container + " was left behind");
    }

    private boolean containerExists() throws Exception {
        Process p = new ProcessBuilder("docker", "ps", "-aq", "--filter", "name=^/" + container + "$").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return !out.isEmpty();
    }

    @Test
    void dockerServesFirstAndTheContainerGoesWithTheProcess() throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("chat", "--model", "demo", "--prompt", "hello", "--max-tokens", "8"));
        args.addAll(dockerArgs());
        Cli.Result r = Cli.run(dir, Map.of(), List.of(), Duration.ofSeconds(120), args.toArray(new String[0]));
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.equals("served-by: docker")), r.err());
        // Nothing went wrong, so nothing is reported as a fallback: the remote backend, which has
        // no endpoints configured here, is simply not tried.
        assertTrue(r.err().lines().noneMatch(l -> l.startsWith("fallback:")), r.err());
    }

    @Test
    void aContainerThatFailsFallsBackToInProcess() throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("chat", "--model", "demo", "--prompt", "hello", "--max-tokens", "8"));
        args.addAll(dockerArgs("-D", "model.demo.args=--no-such-flag"));
        Cli.Result r = Cli.run(dir, Map.of(), List.of(), Duration.ofSeconds(120), args.toArray(new String[0]));
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("fallback: docker: server exited with code")), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.equals("served-by: llamacpp")), r.err());
    }

    @Test
    void sigtermAndSigintStopTheContainerBeforeTheProcessEnds() throws Exception {
        for (String signal : List.of("TERM", "INT")) {
            List<String> args = new java.util.ArrayList<>(List.of("chat", "--model", "demo", "--max-tokens", "8"));
            args.addAll(dockerArgs());
            Process p = Cli.builder(dir, Map.of(), List.of(), args.toArray(new String[0]))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            // Stdin stays open: the chat waits for a question with the container running.
            boolean served = awaitLine(p, "served-by: docker", Duration.ofSeconds(60));
            if (!served) {
                p.destroyForcibly().waitFor();
            }
            assertTrue(served, "the chat started on docker");
            assertTrue(containerExists());
            new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).start().waitFor();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the process ended after SIG" + signal);
            assertEquals(signal.equals("INT") ? 130 : 143, p.exitValue());
            assertFalse(containerExists(), "SIG" + signal + " removed the container");
            p.getOutputStream().close();
        }
    }

    @Test
    void stopAllRemovesEveryContainerOfOursEvenOfALiveProcess() throws Exception {
        Process chat = startOnDocker();
        try {
            Cli.Result r = Cli.run(dir, Map.of(), List.of(), Duration.ofSeconds(120), "stop-all",
                    "-D", "backend.docker.labels=" + LlamaServerContainer.RUN_LABEL + "=" + LlamaServerContainer.RUN);
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(r.out().contains("removed " + container), r.out());
            assertFalse(containerExists(), "stop-all is explicit: it removes running containers too");
        } finally {
            chat.getOutputStream().close();
            assertTrue(chat.waitFor(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void anotherCommandNeverRemovesTheContainerOfALiveProcess() throws Exception {
        Process chat = startOnDocker();
        try {
            // Each command sweeps what dead processes left; a running container's owner is alive.
            Cli.Result r = Cli.run(dir, "backends");
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(containerExists(), "the live chat's container is left alone");
        } finally {
            chat.getOutputStream().close();
            assertTrue(chat.waitFor(30, TimeUnit.SECONDS), "end of input ends the chat");
            assertEquals(0, chat.exitValue());
        }
    }

    /** Runs the docker command and waits for it (kill, wait). */
    private static void docker(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    @Test
    void aSessionSurvivesAKilledContainerAndAnswersTheNextQuestion() throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("chat", "--model", "demo", "--max-tokens", "4"));
        args.addAll(dockerArgs());
        Path out = dir.resolve("out.txt");
        Process p = Cli.builder(dir, Map.of(), List.of(), args.toArray(new String[0]))
                .redirectOutput(out.toFile()).start();
        try (OutputStream in = p.getOutputStream()) {
            Cli.Lines err = Cli.Lines.follow(p.getErrorStream());
            int served = err.await("served-by: docker"::equals, 0, Duration.ofSeconds(60));
            assertTrue(served >= 0, "the chat started on docker");

            docker("kill", container);
            docker("wait", container); // returns once it has stopped
            in.write("first question\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            int error = err.await(l -> l.startsWith("error: "), served, Duration.ofSeconds(60));
            assertTrue(error >= 0, "the failed turn is reported: " + err.all());
            assertTrue(err.all().get(error).startsWith("error: BackendGone: docker "), err.all().get(error));

            in.write("second question\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            int again = err.await("served-by: docker"::equals, error, Duration.ofSeconds(90));
            assertTrue(again > error, "the next question started the model again: " + err.all());
            assertTrue(err.await(l -> l.contains(" completion tokens"), again, Duration.ofSeconds(60)) > again,
                    "and was answered: " + err.all());
            in.close(); // end of input ends the session
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the session ended at end of input");
            assertEquals(0, p.exitValue(), "a failed turn does not fail a session: " + err.all());
            assertEquals(1, err.all().stream().filter(l -> l.startsWith("error: ")).count(), err.all().toString());
            assertFalse(Files.readString(out).isBlank(), "the second answer was printed");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }
}
