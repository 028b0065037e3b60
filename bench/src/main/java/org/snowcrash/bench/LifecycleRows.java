package org.snowcrash.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.snowcrash.agent.Agent;
import org.snowcrash.agent.AgentEvent;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.backend.docker.DockerBackend;
import org.snowcrash.models.gguf.GgufValue;
import org.snowcrash.testkit.TinyLlama;

/**
 * How fast the framework reacts at the edges of a model's life: falling back to the in-process
 * backend when there is no Docker engine, reporting a container that dies while loading, and
 * leaving no container behind when the CLI gets SIGTERM.
 */
final class LifecycleRows {

    private final int rounds;
    private final String image;
    private final Path work;
    private final Path demoModel;
    private final ServeBench.Rows rows;

    /** @param work a folder holding {@code demo.gguf} */
    LifecycleRows(int rounds, String image, Path work, ServeBench.Rows rows) {
        this.rounds = rounds;
        this.image = image;
        this.work = work;
        this.demoModel = work.resolve("demo.gguf");
        this.rows = rows;
    }

    void fallbackNoDocker() throws Exception {
        ModelSpec spec = ModelSpec.builder("demo", demoModel).contextSize(512).build();
        Settings noDocker = Settings.of(Map.of("backend.docker.host", "unix:///nonexistent/docker.sock"));
        double[] ms = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            AtomicLong starting = new AtomicLong();
            try (Agent agent = Agent.builder().settings(noDocker).spec(spec).listener(e -> {
                if (e instanceof AgentEvent.Lifecycle && ((AgentEvent.Lifecycle) e).event() instanceof LifecycleEvent.Starting
                        && ((AgentEvent.Lifecycle) e).event().backendId().equals("llamacpp")) {
                    starting.set(System.nanoTime());
                }
            }).start()) {
                ms[i] = (starting.get() - t0) / 1e6;
            }
        }
        rows.add("fallback with no Docker engine (ms until llamacpp starts)", Stats.ratio(Stats.median(ms)), "-", Stats.ratio(Stats.median(ms)) + " ms",
                "≤ 100 ms", Stats.median(ms) <= 100);
    }

    void containerDies() throws Exception {
        Path alien = work.resolve("alien.gguf");
        TinyLlama.demo().writer("alien").put("general.architecture", GgufValue.string("alien")).write(alien);
        DockerBackend backend = new DockerBackend();
        double[] ms = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            ModelSpec spec = BenchKit.spec(alien, "snowcrash-bench-dies", 512);
            // The engine's own record of the exit, read from its event stream, against the moment the failure reached us.
            Process events = new ProcessBuilder("docker", "events", "--filter", "container=snowcrash-bench-dies",
                    "--filter", "event=die", "--format", "{{.TimeNano}}").start();
            Thread.sleep(300);
            Instant failed;
            try {
                backend.start(spec, BackendContext.of(BenchKit.dockerSettings(image, spec, "snowcrash-bench-dies")));
                throw new IllegalStateException("the alien model started");
            } catch (BackendStartException e) {
                failed = Instant.now();
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(events.getInputStream(), StandardCharsets.UTF_8));
            long dieNanos = Long.parseLong(r.readLine().strip());
            events.destroy();
            long failedNanos = failed.getEpochSecond() * 1_000_000_000L + failed.getNano();
            ms[i] = (failedNanos - dieNanos) / 1e6;
        }
        rows.add("container dies while loading (ms from exit to typed failure)", Stats.ratio(Stats.median(ms)), "-", Stats.ratio(Stats.median(ms)) + " ms",
                "≤ 500 ms", Stats.median(ms) <= 500);
    }

    void shutdown() throws Exception {
        Path cmd = Path.of("cli/target/snowcrash/bin/snowcrash").toAbsolutePath();
        if (!Files.isExecutable(cmd)) {
            throw new IllegalStateException("run from the repository root after a build (" + cmd + " missing)");
        }
        double[] ms = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            int port = BenchKit.freePort();
            String name = "snowcrash-bench-shutdown";
            ProcessBuilder pb = new ProcessBuilder(cmd.toString(), "chat", "--model", "demo",
                    "-D", "backend.docker.image=" + image, "-D", "backend.docker.gpu=off",
                    "-D", "model.demo.port=" + port, "-D", "model.demo.container=" + name).directory(work.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("SNOWCRASH_"));
            Process p = pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = err.readLine()) != null && !line.equals("served-by: docker")) {
                if (line.startsWith("served-by:")) {
                    throw new IllegalStateException("not served by docker: " + line);
                }
            }
            long t0 = System.nanoTime();
            new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid())).start().waitFor();
            p.waitFor(30, TimeUnit.SECONDS);
            ms[i] = (System.nanoTime() - t0) / 1e6;
            Process check = new ProcessBuilder("docker", "ps", "-aq", "--filter", "name=^/" + name + "$").start();
            if (!new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8).isBlank()) {
                throw new IllegalStateException("container left after SIGTERM");
            }
        }
        rows.add("shutdown, SIGTERM to exit with containers removed (ms)", Stats.whole(Stats.median(ms)), "-", Stats.whole(Stats.median(ms)) + " ms", "≤ 2000 ms",
                Stats.median(ms) <= 2000);
    }
}
