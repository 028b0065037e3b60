package org.snowcrash.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.backend.remote.NetworkHost;
import org.snowcrash.testkit.TinyLlama;

/**
 * The robot's case, through the real {@code snowcrash chat}: a GPU server on another host (a
 * network namespace with a real llama-server) serves the conversation; the cable is pulled in the
 * middle of an answer; the turn fails within the idle timeout with one {@code error:} line, and
 * the next question is answered in-process ({@code snowcrash.agent.recovery=next}); the cable is
 * plugged back in, and after the cool-down a question finds the model back on the remote
 * ({@code snowcrash.agent.fail-back}); the session ends normally. Needs root.
 */
@Tag("root") // ip netns and chroot need root: .ci/run runs this tag as root
class CliRemoteAcrossHostsTest {

    private static final String KEY = "robot-fleet-key";
    private static final Duration IDLE = Duration.ofSeconds(5);
    private static final Duration MARGIN = Duration.ofSeconds(3);
    private static final Duration COOLDOWN = Duration.ofSeconds(2);

    @TempDir
    static Path serverDir;

    @TempDir
    Path dir;

    private static Path model;
    private NetworkHost gpu;

    @BeforeAll
    static void model() throws Exception {
        NetworkHost.assumeAvailable();
        model = serverDir.resolve("demo.gguf");
        // A random-weight model served as "demo": unlike the command's trained demo it does not stop
        // by itself, so its answer is still streaming when the cable is pulled on the first piece.
        TinyLlama.demo().write(model);
    }

    @AfterEach
    void removeHost() {
        if (gpu != null) {
            gpu.close();
        }
    }

    /** Signals the first byte the child writes to stdout after {@link #arm()}: a token arrived. */
    private static final class FirstBytes {
        private final AtomicLong count = new AtomicLong();
        private volatile CountDownLatch next = new CountDownLatch(1);
        private volatile long armedAt;

        static FirstBytes follow(InputStream in) {
            FirstBytes f = new FirstBytes();
            Thread t = new Thread(() -> {
                byte[] buf = new byte[4096];
                try {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        if (f.count.addAndGet(n) > f.armedAt) {
                            f.next.countDown();
                        }
                    }
                } catch (IOException e) {
                    // the child went away
                }
            }, "child-stdout");
            t.setDaemon(true);
            t.start();
            return f;
        }

        void arm() {
            armedAt = count.get();
            next = new CountDownLatch(1);
        }

        boolean await(Duration limit) throws InterruptedException {
            return next.await(limit.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void aCablePulledMidAnswerFailsTheTurnTheNextQuestionIsAnsweredInProcessAndTheRemoteServesAgainOnceItIsBack()
            throws Exception {
        gpu = NetworkHost.create();
        // One thread, so that its answer is still streaming when the cable is pulled on the first piece.
        NetworkHost.Server server = gpu.serve(model, "demo", KEY, 8080, "-c", "512", "-t", "1");
        Process p = Cli.builder(dir, Map.of(), List.of(), "chat", "--model", "demo", "--max-tokens", "440",
                "-D", "backend.remote.endpoints=" + server.url(), "-D", "backend.remote.api-key=" + KEY,
                "-D", "backend.remote.idle-timeout=" + IDLE.toSeconds() + "s", "-D", "snowcrash.agent.recovery=next",
                "-D", "backend.remote.cooldown=" + COOLDOWN.toSeconds() + "s",
                "-D", "snowcrash.agent.fail-back=" + COOLDOWN.toSeconds() + "s",
                "-D", "backend.docker.host=unix:///nonexistent/docker.sock").start();
        try {
            Cli.Lines err = Cli.Lines.follow(p.getErrorStream());
            FirstBytes out = FirstBytes.follow(p.getInputStream());
            OutputStream in = p.getOutputStream();
            int served = err.await("served-by: remote"::equals, 0, Duration.ofSeconds(60));
            assertTrue(served >= 0, "served by the remote first: " + err.all());

            out.arm();
            in.write("tell me a long story\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            assertTrue(out.await(Duration.ofSeconds(60)), "the answer started streaming: " + err.all());
            gpu.cutLink();
            long cut = System.nanoTime();
            int error = err.await(l -> l.startsWith("error: "), served, IDLE.plus(MARGIN).plus(Duration.ofSeconds(30)));
            Duration noticed = Duration.ofNanos(System.nanoTime() - cut);
            assertTrue(error >= 0, "the turn failed: " + err.all());
            assertTrue(err.all().get(error).startsWith("error: Timeout: remote (model demo, " + server.url() + "): no output for 5000 ms"),
                    err.all().get(error));
            assertTrue(noticed.compareTo(IDLE.plus(MARGIN)) < 0, "noticed " + noticed.toMillis() + " ms after the cut");
            assertTrue(err.await(l -> l.startsWith("degraded: remote: "), served, Duration.ofSeconds(5)) >= 0, err.all().toString());

            out.arm();
            in.write("and now?\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            int local = err.await("served-by: llamacpp"::equals, error, Duration.ofSeconds(120));
            assertTrue(local >= 0, "the next question started the model in-process: " + err.all());
            assertTrue(err.await(l -> l.contains("completion tokens"), local, Duration.ofSeconds(240)) >= 0,
                    "and was answered: " + err.all());
            assertTrue(out.await(Duration.ZERO) || out.count.get() > out.armedAt, "the answer was printed");

            // The cable is back. Each question may be the one that finds the fail-back interval over
            // and starts the remote again in the background; it is answered where the model is now.
            gpu.restoreLink();
            int generationsBefore = server.generations();
            int remoteAgain = -1;
            int answered = local;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (remoteAgain < 0 && System.nanoTime() < deadline) {
                in.write("are you back?\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                answered = err.await(l -> l.contains("completion tokens"), answered + 1, Duration.ofSeconds(120));
                assertTrue(answered >= 0, "every question is answered meanwhile: " + err.all());
                remoteAgain = err.await("served-by: remote"::equals, local, Duration.ZERO);
            }
            assertTrue(remoteAgain >= 0, "the model moved back to the remote: " + err.all());
            in.write("and now, who answers?\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            int last = err.await(l -> l.contains("completion tokens"), Math.max(answered, remoteAgain) + 1, Duration.ofSeconds(120));
            assertTrue(last >= 0, "answered after the move: " + err.all());
            assertTrue(server.generations() > generationsBefore, "by the remote server: " + server.logTail(20));

            in.close();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the session ends at end of input: " + err.all());
            assertEquals(0, p.exitValue(), err.all().toString());
            assertEquals(1, err.all().stream().filter(l -> l.startsWith("error: ")).count(), err.all().toString());
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
