package org.snowcrash.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.snowcrash.agent.pool.ModelPool;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.backend.docker.DockerBackend;
import org.snowcrash.models.MemoryEstimator;
import org.snowcrash.models.ModelCatalog;
import org.snowcrash.models.gguf.GgmlType;
import org.snowcrash.models.gguf.GgufReader;
import org.snowcrash.testkit.TinyLlama;

/**
 * Starting models in containers: the Docker backend's start to ready against {@code docker run}
 * plus a {@code /health} poll, and a pool switching models under a memory budget for one against
 * doing the same switch by hand; framework and baseline alternate in every round.
 */
final class StartRows {

    private static final String PROMPT = "Tell me about the robot and what it sees.";

    private final int rounds;
    private final String image;
    private final Path work;
    private final Path timingModel;
    private final ServeBench.Rows rows;

    /** @param work a folder holding {@code timing.gguf} */
    StartRows(int rounds, String image, Path work, ServeBench.Rows rows) {
        this.rounds = rounds;
        this.image = image;
        this.work = work;
        this.timingModel = work.resolve("timing.gguf");
        this.rows = rows;
    }

    void dockerStart() throws Exception {
        double[] fw = new double[rounds];
        double[] raw = new double[rounds];
        DockerBackend backend = new DockerBackend();
        for (int i = 0; i < rounds; i++) {
            double[] pair = BenchKit.alternate(i, () -> {
                ModelSpec spec = BenchKit.spec(timingModel, "snowcrash-bench-start", 2048);
                Settings settings = BenchKit.dockerSettings(image, spec, "snowcrash-bench-start");
                long t0 = System.nanoTime();
                ModelSession s = backend.start(spec, BackendContext.of(settings));
                double ms = (System.nanoTime() - t0) / 1e6;
                s.close();
                return ms;
            }, this::dockerRun);
            fw[i] = pair[0];
            raw[i] = pair[1];
        }
        double ratio = Stats.median(fw) / Stats.median(raw);
        rows.add("start to ready, Docker (ms)", Stats.whole(Stats.median(fw)), Stats.whole(Stats.median(raw)), "ratio " + Stats.ratio(ratio), "≤ 1.10", ratio <= 1.10);
    }

    /** {@code docker run} plus a 10 ms {@code /health} poll: ms until 200. */
    private double dockerRun() throws Exception {
        int port = BenchKit.freePort();
        String name = "snowcrash-bench-raw";
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("docker", "run", "-d", "--name", name, "-p", "127.0.0.1:" + port + ":" + port,
                "-v", work + ":/models:ro", image, "--host", "0.0.0.0", "--port", String.valueOf(port),
                "-m", "/models/timing.gguf", "-c", "2048", "-b", "128").redirectErrorStream(true).start();
        URI health = URI.create("http://127.0.0.1:" + port + "/health");
        double ms = -1;
        try {
            if (Health.await(health, t0, Duration.ofSeconds(120), Duration.ofMillis(10))) {
                ms = (System.nanoTime() - t0) / 1e6;
            }
        } finally {
            p.waitFor();
            BenchKit.removeContainer(name);
        }
        return ms;
    }

    /**
     * Two 52 MiB models under a memory budget that holds one: the time from asking the pool for
     * the other model to its one-token answer (the loaded model's container removed, the other's
     * started), against doing the same by hand in the same run: closing the session of the one,
     * starting the other on the Docker backend directly, asking it for one token.
     */
    void poolSwitch() throws Exception {
        Path dir = Files.createDirectories(work.resolve("pool"));
        TinyLlama.timing().write(dir.resolve("one.gguf"));
        new TinyLlama(8, 512, 8, 1536, 2048, GgmlType.F16, 8).write(dir.resolve("two.gguf"));
        long one = MemoryEstimator.estimate(GgufReader.read(dir.resolve("one.gguf")), MemoryEstimator.Settings.of(2048, 128)).total();
        long two = MemoryEstimator.estimate(GgufReader.read(dir.resolve("two.gguf")), MemoryEstimator.Settings.of(2048, 128)).total();
        Map<String, String> m = new HashMap<>(Map.of("backend.docker.image", image, "backend.docker.pull", "never",
                "backend.docker.gpu", "off", "snowcrash.models.dir", dir.toString(),
                "snowcrash.memory.budget", Long.toString(Math.max(one, two) + Math.min(one, two) / 2)));
        // The pool's two models and the baseline's own two, on the same files.
        for (String id : List.of("one", "two", "raw-one", "raw-two")) {
            m.put("model." + id + ".file", id.replace("raw-", "") + ".gguf");
            m.put("model." + id + ".port", Integer.toString(BenchKit.freePort()));
            m.put("model." + id + ".container", "snowcrash-bench-pool-" + id);
            m.put("model." + id + ".ctx-size", "2048");
            m.put("model." + id + ".keep-alive", "-1");
            m.put("model." + id + ".startup-timeout", "120s");
        }
        Settings settings = Settings.of(m, "bench");
        DockerBackend backend = new DockerBackend();
        ModelCatalog catalog = ModelCatalog.from(settings, backend.modelSettings());
        ChatRequest oneToken = ChatRequest.of(List.of(ChatMessage.user(PROMPT)), 1).withTemperature(0);
        double[] fw = new double[rounds];
        double[] raw = new double[rounds];
        ModelSession[] current = {backend.start(catalog.spec("raw-one"), BackendContext.of(settings))};
        try (ModelPool pool = ModelPool.builder().settings(settings).backend("docker").build()) {
            pool.chat("one", oneToken);
            for (int i = 0; i < rounds; i++) {
                String next = i % 2 == 0 ? "two" : "one";
                double[] pair = BenchKit.alternate(i, () -> {
                    long t0 = System.nanoTime();
                    pool.chat(next, oneToken);
                    return (System.nanoTime() - t0) / 1e6;
                }, () -> {
                    long t0 = System.nanoTime();
                    current[0].close();
                    current[0] = backend.start(catalog.spec("raw-" + next), BackendContext.of(settings));
                    current[0].chat(oneToken);
                    return (System.nanoTime() - t0) / 1e6;
                });
                fw[i] = pair[0];
                raw[i] = pair[1];
            }
        } finally {
            current[0].close();
        }
        double ratio = Stats.median(fw) / Stats.median(raw);
        rows.add("pool switch, Docker, budget for one of two models (ms to the first token)", Stats.whole(Stats.median(fw)), Stats.whole(Stats.median(raw)),
                "ratio " + Stats.ratio(ratio), "≤ 1.10", ratio <= 1.10);
    }
}
