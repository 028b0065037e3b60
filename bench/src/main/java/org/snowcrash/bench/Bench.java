package org.snowcrash.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.snowcrash.agent.Agent;
import org.snowcrash.agent.AgentEvent;
import org.snowcrash.agent.pool.ModelPool;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.backend.docker.DockerBackend;
import org.snowcrash.models.MemoryEstimator;
import org.snowcrash.models.ModelCatalog;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.models.gguf.GgmlType;
import org.snowcrash.models.gguf.GgufReader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.Pair;

/**
 * The benchmark: each row measures the framework and a raw baseline in the same run, alternating
 * them over several rounds and reporting medians, because absolute times on a small shared machine
 * drift. Run from the repository root after a build:
 * {@code java -cp 'bench/target/lib/*' org.snowcrash.bench.Bench [--rounds N] [--tokens N] [--only ROW]}.
 * Docker rows need an engine and the image in {@code SNOWCRASH_TEST_IMAGE}
 * (default {@code snowcrash/llama-server:sid}); without them they are reported as skipped.
 */
public final class Bench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMPT = "Tell me about the robot and what it sees.";

    private final int rounds;
    private final int tokens;
    private final String image = System.getenv().getOrDefault("SNOWCRASH_TEST_IMAGE", "snowcrash/llama-server:sid");
    private final Path work;
    private final Path timingModel;
    private final Path demoModel;
    private final List<String[]> rows = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    private Bench(int rounds, int tokens) throws IOException {
        this.rounds = rounds;
        this.tokens = tokens;
        this.work = Files.createTempDirectory("snowcrash-bench");
        this.timingModel = work.resolve("timing.gguf");
        this.demoModel = work.resolve("demo.gguf");
        TinyLlama.timing().write(timingModel);
        TinyLlama.demo().write(demoModel);
    }

    public static void main(String[] args) throws Exception {
        // llama-server behind docker-proxy closes connections after a streamed answer without
        // saying so; Snowcrash therefore opens a fresh connection per request, and so must the
        // baseline, or it fails on a stale one (and the comparison would not be like for like).
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "connection");
        int rounds = intArg(args, "--rounds", 15);
        int tokens = intArg(args, "--tokens", 256);
        // Only to check the harness quickly: the long-conversation rows' results are for 60 turns.
        int turns = intArg(args, "--turns", 60);
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--only")) {
                only = args[i + 1];
            }
        }
        Bench b = new Bench(rounds, tokens);
        System.err.println("model for timing: " + Files.size(b.timingModel) / (1 << 20) + " MiB, " + rounds + " rounds, "
                + tokens + " tokens, " + Runtime.getRuntime().availableProcessors() + " cores");
        b.row("docker streaming + time to first token", b::dockerStreaming);
        b.row("in-process streaming", b::inProcessStreaming);
        b.row("docker start to ready", b::dockerStart);
        b.row("pool switch", b::poolSwitch);
        b.row("fallback with no Docker engine", b::fallbackNoDocker);
        b.row("container dies while loading", b::containerDies);
        b.row("memory over a 100-turn conversation", b::memory);
        b.row("shutdown on SIGTERM", b::shutdown);
        ServeBench serve = new ServeBench(rounds, tokens, b.image, b.work, b::add);
        b.row("serve streaming vs llama-server direct", serve::streaming);
        b.row("serve under overload", serve::overload);
        ConversationRows conversations = new ConversationRows(turns, b.image, b.work, b::add);
        b.row("long conversation, Docker", conversations::docker);
        b.row("long conversation, in-process", conversations::inProcess);
        ToolPrefixRows toolPrefix = new ToolPrefixRows(12, b.image, b.work, b::add);
        b.row("tools as a cached prefix, Docker", toolPrefix::docker);
        b.row("tools as a cached prefix, in-process", toolPrefix::inProcess);
        b.row("concurrent viewers, Docker", new ViewerRows(rounds, tokens, b.image, b.work, b::add)::viewers);
        GrammarRows grammar = new GrammarRows(rounds, b.work, b::add);
        b.row("json_schema vs free text, in-process, demo model", grammar::demo);
        b.row("json_schema vs free text, in-process, 50 MB random model", grammar::timing);
        DockerGrammarRow dockerGrammar = new DockerGrammarRow(rounds, b.work, b.image, b::add);
        b.row("json_schema vs free text, Docker, demo model", dockerGrammar::demo);
        b.row("json_schema vs free text, Docker, 50 MB random model", dockerGrammar::timing);
        b.row("first turn after a restart", new SlotRestoreRows(Math.min(rounds, 3), b.image, b.work, b::add)::firstTurnAfterRestart);
        b.print();
        // The models written for the run (about 160 MB) go with it.
        try (java.util.stream.Stream<Path> files = Files.walk(b.work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        System.exit(0);
    }

    private interface Measure {
        void run() throws Exception;
    }

    private static String only = "";

    private void row(String name, Measure m) {
        if (!name.startsWith(only)) {
            return;
        }
        System.err.println("measuring: " + name);
        try {
            m.run();
        } catch (Exception | Error e) {
            rows.add(new String[] {name, "-", "-", "skipped: " + e, "-", "-"});
        }
    }

    private void add(String name, String framework, String baseline, String result, String target, boolean met) {
        rows.add(new String[] {name, framework, baseline, result, target, met ? "yes" : "NO"});
        System.err.println("  " + String.join(" | ", rows.get(rows.size() - 1)));
    }

    private void print() {
        System.out.println("| row | framework | raw baseline | result | target | met |");
        System.out.println("|---|---|---|---|---|---|");
        for (String[] r : rows) {
            System.out.println("| " + String.join(" | ", r) + " |");
        }
    }

    /** The Docker backend's settings, with the model's own container keys (its port and name). */
    private Settings dockerSettings(ModelSpec spec, String container, int port) {
        return Settings.of(Map.of("backend.docker.image", image, "backend.docker.pull", "never",
                "backend.docker.gpu", "off", "model." + spec.id() + ".port", String.valueOf(port),
                "model." + spec.id() + ".container", container, "model." + spec.id() + ".memory", "2g"), "bench");
    }

    private Settings dockerSettings(ModelSpec spec, String container) throws IOException {
        return dockerSettings(spec, container, freePort());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private ModelSpec spec(Path model, String name, int ctx) {
        return ModelSpec.builder(name.replace("snowcrash-bench-", ""), model).contextSize(ctx)
                .startupTimeout(Duration.ofSeconds(120)).build();
    }

    // ---- docker streaming and TTFT -------------------------------------------------------------

    private void dockerStreaming() throws Exception {
        ModelSpec spec = spec(timingModel, "snowcrash-bench-stream", 2048);
        double[] fwTps = new double[rounds];
        double[] rawTps = new double[rounds];
        double[] fwTtft = new double[rounds];
        double[] rawTtft = new double[rounds];
        // The baseline talks to a plain llama-server of its own (same image, model and flags, no API
        // key: the framework's containers always have one), alternating with the framework's requests.
        int rawPort = freePort();
        String rawName = "snowcrash-bench-raw-stream";
        startPlainServer(rawName, rawPort, "timing.gguf", 2048);
        try (Agent agent = Agent.builder().settings(dockerSettings(spec, "snowcrash-bench-stream")).spec(spec)
                .backend("docker").maxTokens(tokens).temperature(0).start()) {
            URI url = URI.create("http://127.0.0.1:" + rawPort + "/v1/chat/completions");
            // Warm both paths (JIT, prompt cache, connections) before measuring anything.
            for (int w = 0; w < 10; w++) {
                framework(agent);
                raw(url);
            }
            for (int i = 0; i < rounds; i++) {
                double[] a;
                double[] b;
                if (i % 2 == 0) {
                    a = framework(agent);
                    b = raw(url);
                } else {
                    b = raw(url);
                    a = framework(agent);
                }
                fwTps[i] = a[0];
                fwTtft[i] = a[1];
                rawTps[i] = b[0];
                rawTtft[i] = b[1];
            }
        } finally {
            new ProcessBuilder("docker", "rm", "-f", rawName).redirectErrorStream(true).start().waitFor();
        }
        double ratio = Stats.median(fwTps) / Stats.median(rawTps);
        add("streaming throughput, Docker (tok/s)", Stats.whole(Stats.median(fwTps)), Stats.whole(Stats.median(rawTps)), "ratio " + Stats.ratio(ratio), "≥ 0.98", ratio >= 0.98);
        double diff = Stats.median(fwTtft) - Stats.median(rawTtft);
        add("time to first token, warm, Docker (ms)", Stats.ratio(Stats.median(fwTtft)), Stats.ratio(Stats.median(rawTtft)), String.format(Locale.ROOT, "%+.2f ms", diff),
                "within 2 ms", diff <= 2.0);
    }

    /** One agent turn: {tokens per second, ms to the first piece}. */
    private double[] framework(Agent agent) {
        agent.reset();
        long t0 = System.nanoTime();
        AtomicLong first = new AtomicLong();
        ChatResponse r = agent.ask(PROMPT, piece -> first.compareAndSet(0, System.nanoTime()));
        long t1 = System.nanoTime();
        return new double[] {r.usage().completionTokens() / ((t1 - t0) / 1e9), (first.get() - t0) / 1e6};
    }

    /** The same request with the JDK's own HTTP client reading the SSE lines: {tok/s, ms to first token}. */
    private double[] raw(URI url) throws Exception {
        String body = JSON.createObjectNode()
                .put("max_tokens", tokens).put("temperature", 0).put("stream", true)
                .set("messages", JSON.createArrayNode().add(JSON.createObjectNode().put("role", "user").put("content", PROMPT)))
                .toString();
        HttpRequest req = HttpRequest.newBuilder(url).header("Content-Type", "application/json").header("Connection", "close")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long t0 = System.nanoTime();
        long first = 0;
        int predicted = 0;
        HttpResponse<java.util.stream.Stream<String>> resp = http.send(req, HttpResponse.BodyHandlers.ofLines());
        for (String line : (Iterable<String>) resp.body()::iterator) {
            if (!line.startsWith("data: ")) {
                continue;
            }
            String data = line.substring(6);
            if (data.equals("[DONE]")) {
                break;
            }
            JsonNode chunk = JSON.readTree(data);
            if (first == 0 && !chunk.path("choices").path(0).path("delta").path("content").asText("").isEmpty()) {
                first = System.nanoTime();
            }
            if (chunk.has("timings")) {
                predicted = chunk.path("timings").path("predicted_n").asInt();
            }
        }
        long t1 = System.nanoTime();
        return new double[] {predicted / ((t1 - t0) / 1e9), (first - t0) / 1e6};
    }

    // ---- in-process streaming ------------------------------------------------------------------

    private void inProcessStreaming() throws Exception {
        ModelSpec spec = ModelSpec.builder("timing", timingModel).contextSize(2048).gpuLayers(0).build();
        double[] fw = new double[rounds];
        double[] raw = new double[rounds];
        try (Agent agent = Agent.builder().settings(Settings.empty()).spec(spec).backend("llamacpp").maxTokens(tokens)
                .temperature(0).start()) {
            // The baseline: the same file loaded by java-llama.cpp directly, driven by a bare loop.
            LlamaModel bare = new LlamaModel(new ModelParameters().setModel(timingModel.toString()).setCtxSize(2048)
                    .setBatchSize(128).setParallel(1).disableLog());
            String prompt = bare.applyTemplate(new InferenceParameters("").setMessages(null, List.of(new Pair<>("user", PROMPT))));
            for (int w = 0; w < 3; w++) {
                framework(agent);
                bareLoop(bare, prompt);
            }
            for (int i = 0; i < rounds; i++) {
                double[] a;
                double b;
                if (i % 2 == 0) {
                    a = framework(agent);
                    b = bareLoop(bare, prompt);
                } else {
                    b = bareLoop(bare, prompt);
                    a = framework(agent);
                }
                System.err.printf(Locale.ROOT, "    round %d: framework %.0f tok/s, loop %.0f tok/s%n", i, a[0], lastLoopTokens / b);
                fw[i] = a[0];
                // Greedy decoding gives both the same tokens; the loop's count comes from the tokenizer.
                raw[i] = lastLoopTokens / b;
            }
        }
        double ratio = Stats.median(fw) / Stats.median(raw);
        add("streaming throughput, in-process (tok/s)", Stats.whole(Stats.median(fw)), Stats.whole(Stats.median(raw)), "ratio " + Stats.ratio(ratio), "≥ 0.98", ratio >= 0.98);
    }

    private double lastLoopTokens;

    /** Seconds a bare generate loop takes for the same request. */
    private double bareLoop(LlamaModel model, String prompt) {
        long t0 = System.nanoTime();
        StringBuilder sb = new StringBuilder();
        int outputs = 0;
        for (LlamaOutput o : model.generate(new InferenceParameters(prompt).setNPredict(tokens).setTemperature(0).setCachePrompt(true))) {
            sb.append(o.text);
            outputs++;
        }
        double s = (System.nanoTime() - t0) / 1e9;
        // Counted as the backend counts (java-llama.cpp 4.2.0 gives no native timings).
        lastLoopTokens = Math.min(tokens, Math.max(outputs, model.encode(sb.toString()).length));
        return s;
    }

    // ---- docker start to ready -----------------------------------------------------------------

    private void dockerStart() throws Exception {
        double[] fw = new double[rounds];
        double[] raw = new double[rounds];
        DockerBackend backend = new DockerBackend();
        for (int i = 0; i < rounds; i++) {
            Measure f = () -> {
                ModelSpec spec = spec(timingModel, "snowcrash-bench-start", 2048);
                Settings settings = dockerSettings(spec, "snowcrash-bench-start");
                long t0 = System.nanoTime();
                ModelSession s = backend.start(spec, BackendContext.of(settings));
                last = (System.nanoTime() - t0) / 1e6;
                s.close();
            };
            Measure r = () -> last = dockerRun();
            if (i % 2 == 0) {
                f.run();
                fw[i] = last;
                r.run();
                raw[i] = last;
            } else {
                r.run();
                raw[i] = last;
                f.run();
                fw[i] = last;
            }
        }
        double ratio = Stats.median(fw) / Stats.median(raw);
        add("start to ready, Docker (ms)", Stats.whole(Stats.median(fw)), Stats.whole(Stats.median(raw)), "ratio " + Stats.ratio(ratio), "≤ 1.10", ratio <= 1.10);
    }

    private double last;

    /** {@code docker run} plus a 10 ms {@code /health} poll: ms until 200. */
    /** Starts a plain llama-server container (no key) and waits until {@code /health} says 200. */
    private void startPlainServer(String name, int port, String model, int ctx) throws Exception {
        new ProcessBuilder("docker", "rm", "-f", name).redirectErrorStream(true).start().waitFor();
        Process p = new ProcessBuilder("docker", "run", "-d", "--name", name, "-p", "127.0.0.1:" + port + ":" + port,
                "-v", work + ":/models:ro", image, "--host", "0.0.0.0", "--port", String.valueOf(port),
                "-m", "/models/" + model, "-c", String.valueOf(ctx), "-b", "128").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor();
        URI health = URI.create("http://127.0.0.1:" + port + "/health");
        if (!Health.await(health, System.nanoTime(), Duration.ofSeconds(120), Duration.ofMillis(10))) {
            throw new IllegalStateException("the baseline server " + name + " did not become ready");
        }
    }

    private double dockerRun() throws Exception {
        int port = freePort();
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
            new ProcessBuilder("docker", "rm", "-f", name).redirectErrorStream(true).start().waitFor();
        }
        return ms;
    }

    // ---- pool switch under a budget for one model -------------------------------------------------

    /**
     * Two 52 MiB models under a memory budget that holds one: the time from asking the pool for
     * the other model to its one-token answer (the loaded model's container removed, the other's
     * started), against doing the same by hand in the same run: closing the session of the one,
     * starting the other on the Docker backend directly, asking it for one token.
     */
    private void poolSwitch() throws Exception {
        Path dir = Files.createDirectories(work.resolve("pool"));
        TinyLlama.timing().write(dir.resolve("one.gguf"));
        new TinyLlama(8, 512, 8, 1536, 2048, GgmlType.F16, 8).write(dir.resolve("two.gguf"));
        long one = MemoryEstimator.estimate(GgufReader.read(dir.resolve("one.gguf")), MemoryEstimator.Settings.of(2048, 128)).total();
        long two = MemoryEstimator.estimate(GgufReader.read(dir.resolve("two.gguf")), MemoryEstimator.Settings.of(2048, 128)).total();
        Map<String, String> m = new java.util.HashMap<>(Map.of("backend.docker.image", image, "backend.docker.pull", "never",
                "backend.docker.gpu", "off", "snowcrash.models.dir", dir.toString(),
                "snowcrash.memory.budget", Long.toString(Math.max(one, two) + Math.min(one, two) / 2)));
        // The pool's two models and the baseline's own two, on the same files.
        for (String id : List.of("one", "two", "raw-one", "raw-two")) {
            m.put("model." + id + ".file", id.replace("raw-", "") + ".gguf");
            m.put("model." + id + ".port", Integer.toString(freePort()));
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
                Measure f = () -> {
                    long t0 = System.nanoTime();
                    pool.chat(next, oneToken);
                    last = (System.nanoTime() - t0) / 1e6;
                };
                Measure r = () -> {
                    long t0 = System.nanoTime();
                    current[0].close();
                    current[0] = backend.start(catalog.spec("raw-" + next), BackendContext.of(settings));
                    current[0].chat(oneToken);
                    last = (System.nanoTime() - t0) / 1e6;
                };
                if (i % 2 == 0) {
                    f.run();
                    fw[i] = last;
                    r.run();
                    raw[i] = last;
                } else {
                    r.run();
                    raw[i] = last;
                    f.run();
                    fw[i] = last;
                }
            }
        } finally {
            current[0].close();
        }
        double ratio = Stats.median(fw) / Stats.median(raw);
        add("pool switch, Docker, budget for one of two models (ms to the first token)", Stats.whole(Stats.median(fw)), Stats.whole(Stats.median(raw)),
                "ratio " + Stats.ratio(ratio), "≤ 1.10", ratio <= 1.10);
    }

    // ---- fallback without Docker -----------------------------------------------------------------

    private void fallbackNoDocker() throws Exception {
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
        add("fallback with no Docker engine (ms until llamacpp starts)", Stats.ratio(Stats.median(ms)), "-", Stats.ratio(Stats.median(ms)) + " ms",
                "≤ 100 ms", Stats.median(ms) <= 100);
    }

    // ---- container dies while loading ----------------------------------------------------------

    private void containerDies() throws Exception {
        Path alien = work.resolve("alien.gguf");
        TinyLlama.demo().writer("alien").put("general.architecture", org.snowcrash.models.gguf.GgufValue.string("alien")).write(alien);
        DockerBackend backend = new DockerBackend();
        double[] ms = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            ModelSpec spec = spec(alien, "snowcrash-bench-dies", 512);
            // The engine's own record of the exit, read from its event stream, against the moment the failure reached us.
            Process events = new ProcessBuilder("docker", "events", "--filter", "container=snowcrash-bench-dies",
                    "--filter", "event=die", "--format", "{{.TimeNano}}").start();
            Thread.sleep(300);
            Instant failed;
            try {
                backend.start(spec, BackendContext.of(dockerSettings(spec, "snowcrash-bench-dies")));
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
        add("container dies while loading (ms from exit to typed failure)", Stats.ratio(Stats.median(ms)), "-", Stats.ratio(Stats.median(ms)) + " ms",
                "≤ 500 ms", Stats.median(ms) <= 500);
    }

    // ---- memory -----------------------------------------------------------------------------------

    private void memory() throws Exception {
        ModelSpec spec = ModelSpec.builder("demo", demoModel).contextSize(512).gpuLayers(0).build();
        long rss10 = 0;
        long heap10 = 0;
        long rss100 = 0;
        long heap100 = 0;
        try (Agent agent = Agent.builder().settings(Settings.empty()).spec(spec).backend("llamacpp").maxTokens(16).start()) {
            for (int turn = 1; turn <= 100; turn++) {
                agent.ask("turn " + turn + ": what do you see now?");
                if (turn == 10 || turn == 100) {
                    System.gc();
                    Thread.sleep(200);
                    long heap = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
                    long rss = rssBytes();
                    if (turn == 10) {
                        rss10 = rss;
                        heap10 = heap;
                    } else {
                        rss100 = rss;
                        heap100 = heap;
                    }
                }
            }
        }
        double rssGrowth = 100.0 * (rss100 - rss10) / rss10;
        double heapGrowth = 100.0 * (heap100 - heap10) / heap10;
        add("memory, turn 10 → 100 (RSS MiB)", (rss10 >> 20) + " → " + (rss100 >> 20), "-", Stats.ratio(rssGrowth) + " %", "growth ≤ 5 %", rssGrowth <= 5);
        add("memory, turn 10 → 100 (heap MiB)", Stats.ratio(heap10 / 1048576.0) + " → " + Stats.ratio(heap100 / 1048576.0), "-",
                Stats.ratio(heapGrowth) + " %", "growth ≤ 5 %", heapGrowth <= 5);
    }

    private static long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    // ---- shutdown ---------------------------------------------------------------------------------

    private void shutdown() throws Exception {
        Path cmd = Path.of("cli/target/snowcrash/bin/snowcrash").toAbsolutePath();
        if (!Files.isExecutable(cmd)) {
            throw new IllegalStateException("run from the repository root after a build (" + cmd + " missing)");
        }
        double[] ms = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            int port = freePort();
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
        add("shutdown, SIGTERM to exit with containers removed (ms)", Stats.whole(Stats.median(ms)), "-", Stats.whole(Stats.median(ms)) + " ms", "≤ 2000 ms",
                Stats.median(ms) <= 2000);
    }

    // ---- helpers ----------------------------------------------------------------------------------




    private static int intArg(String[] args, String name, int def) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return def;
    }
}
