package org.snowcrash.bench.soak;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.snowcrash.agent.Agent;
import org.snowcrash.api.Settings;
import org.snowcrash.server.SnowcrashServer;

/**
 * One soak-and-chaos run: a real {@code SnowcrashServer} and real {@link Agent}s in this JVM, each
 * running the demo model in its own llama-server container, reached through an
 * {@link EngineProxy}; HTTP and agent clients asking for the whole duration while a
 * {@link ChaosLoop} causes faults; then everything closed and checked for what it left.
 */
final class SoakRun {

    private static final String KEY = "soak-key-0123456789abcdef";
    /**
     * Silence on a stream that counts as a frozen server: the backend's idle timeout. Short, so a
     * pause is noticed well within a request's timeout; not so short that an answer slowed by a
     * busy machine (or a model's first answer after loading) counts as a freeze.
     */
    private static final Duration IDLE = Duration.ofSeconds(15);

    private final SoakOptions options;
    private final Consumer<String> log;
    private final String run = UUID.randomUUID().toString();
    private final DockerCli docker = new DockerCli(run);

    SoakRun(SoakOptions options, Consumer<String> log) {
        this.options = options;
        this.log = log;
    }

    SoakReport run() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Set<String> tmpBefore = listing(tmp);
        Path work = Files.createTempDirectory("snowcrash-soak");
        // A run ended by SIGTERM or Ctrl-C takes its folder with it too (the backends remove their
        // containers from hooks of their own).
        Thread cleanup = new Thread(() -> {
            try {
                delete(work);
            } catch (IOException e) {
                System.err.println("soak: could not delete " + work + ": " + e);
            }
        }, "soak-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        List<Agent> agents = new ArrayList<>();
        SoakReport report;
        try (EngineProxy proxy = new EngineProxy(work.resolve("engine.sock"), engineSocket());
             ResourceSampler sampler = new ResourceSampler()) {
            SnowcrashServer server = SnowcrashServer.builder().settings(settings(work, proxy, "serve", true))
                    .environment(Map.of("HOME", work.toString())).start();
            try {
                Scenes scenes = calibrate(server);
                int burst = 4 + 4 + 4; // max-in-flight + queue + 4 more than the model admits
                if (scenes.size() < options.httpClients() + options.agents() + 2) {
                    throw new IllegalStateException("the demo model named the objects of only " + scenes.size()
                            + " scenes right; the run needs one per client and two for bursts");
                }
                for (int i = 0; i < options.agents(); i++) {
                    String part = "agent-" + (i + 1);
                    agents.add(Agent.builder().settings(settings(work, proxy, part, false)).model("demo")
                            .systemPrompt(scenes.get(options.httpClients() + i).prompt()).maxTokens(48).temperature(0)
                            .start());
                }
                report = soak(server, proxy, scenes, agents, burst, sampler);
            } finally {
                agents.forEach(Agent::close);
                server.close();
            }
            ResourceSampler.Sample afterClose = sampler.mark();
            report = withLeftovers(report, afterClose, awaitNoContainers(), List.of());
        } finally {
            delete(work);
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        Set<String> left = listing(tmp);
        left.removeAll(tmpBefore);
        return withLeftovers(report, report.afterClose(), report.containersLeft(), List.copyOf(left));
    }

    private SoakReport soak(SnowcrashServer server, EngineProxy proxy, Scenes scenes, List<Agent> agents, int burst,
                            ResourceSampler sampler) throws Exception {
        try (Ledger ledger = new Ledger(scenes, options.timeout())) {
            ServeCaller caller = new ServeCaller(server.uri(), KEY, ledger, options.timeout());
            Clients clients = new Clients();
            for (int i = 0; i < options.httpClients(); i++) {
                clients.serve("http-" + (i + 1), caller, scenes.get(i));
            }
            for (int i = 0; i < agents.size(); i++) {
                clients.agent("agent-" + (i + 1), agents.get(i), scenes.get(options.httpClients() + i), ledger);
            }
            List<String> parts = new ArrayList<>(List.of("serve"));
            for (int i = 0; i < agents.size(); i++) {
                parts.add("agent-" + (i + 1));
            }
            Burst bursts = new Burst(caller, scenes, burst, options.httpClients() + agents.size());
            ChaosLoop chaos = new ChaosLoop(docker, proxy, ledger, bursts, parts, options.interval(), IDLE.multipliedBy(3), log);
            chaos.warmUp();
            long t0 = System.nanoTime();
            Thread chaosThread = new Thread(chaos, "soak-chaos");
            chaosThread.setDaemon(true);
            chaosThread.start();
            long total = options.duration().toMillis();
            sleepUntil(t0, total / 10);
            ResourceSampler.Sample tenth = sampler.mark();
            log.accept("soak: first tenth reached, " + ledger.answeredSoFar() + " answered so far");
            sleepUntil(t0, total);
            // A run too short (or a machine too slow) for every kind of fault goes on until each
            // was caused once, within five times its length: the report says how long it ran.
            while (chaos.caused().containsValue(0) && System.nanoTime() - t0 < 5 * total * 1_000_000L) {
                Thread.sleep(200); // polling the chaos loop's counts
            }
            ResourceSampler.Sample end = sampler.mark();
            long ran = (System.nanoTime() - t0) / 1_000_000;
            long startMs = sampler.elapsedMillis() - ran;
            clients.stop();
            chaos.stop();
            Ledger.Counts counts = ledger.settle(Duration.ofSeconds(30));
            clients.join(Duration.ofSeconds(30).toMillis());
            chaosThread.join(options.timeout().plusSeconds(30).toMillis());
            bursts.close();
            tenth = withMedians(tenth, sampler.window(startMs, ran, 0.08, 0.15));
            end = withMedians(end, sampler.window(startMs, ran, 0.90, 1.0));
            return new SoakReport(options, Duration.ofMillis(ran), scenes.size(), counts, chaos.caused(), chaos.tried(),
                    chaos.refused(), chaos.frozenTimeouts(), tenth, end, end, List.of(), List.of());
        }
    }

    /** Keeps the scenes the model answers right alone, each asked once through the server. */
    private Scenes calibrate(SnowcrashServer server) throws InterruptedException {
        Scenes candidates = Scenes.candidates();
        List<Scenes.Scene> kept = new ArrayList<>();
        try (Ledger trial = new Ledger(candidates, options.timeout())) {
            ServeCaller caller = new ServeCaller(server.uri(), KEY, trial, options.timeout());
            for (Scenes.Scene s : candidates.all()) {
                if (caller.call("calibration", s) instanceof Outcome.Answered a
                        && candidates.match(s, a.text()) == Scenes.Match.OWN) {
                    kept.add(s);
                }
            }
        }
        log.accept("soak: " + kept.size() + " of " + candidates.size() + " scenes answered right alone");
        return candidates.keep(kept);
    }

    /** One part's settings: its own labels, container name and port; every backend through the proxy. */
    private Settings settings(Path work, EngineProxy proxy, String part, boolean serve) throws IOException {
        Map<String, String> m = new HashMap<>();
        m.put("snowcrash.models.dir", work.resolve("models").toString());
        m.put("backend.docker.host", proxy.host());
        m.put("backend.docker.image", options.image());
        m.put("backend.docker.pull", "never");
        m.put("backend.docker.gpu", "off");
        m.put("backend.docker.labels", DockerCli.RUN_LABEL + "=" + run + "," + DockerCli.PART_LABEL + "=" + part);
        m.put("backend.docker.idle-timeout", IDLE.toSeconds() + "s");
        m.put("backend.docker.request-timeout", "30s");
        // Docker only: a fault must be met by recovery on the same backend, not hidden by a fallback in-process.
        m.put("backend.llamacpp.enabled", "false");
        m.put("model.demo.container", "snowcrash-soak-" + part + "-" + run.substring(0, 8));
        m.put("model.demo.port", String.valueOf(freePort()));
        m.put("model.demo.startup-timeout", "45s");
        if (serve) {
            m.put("serve.port", "0");
            m.put("serve.api-key", KEY);
            // As many slots as requests admitted: a request waits in the pool's queue, never silent
            // in llama-server's, where the idle timeout would take the wait for a freeze.
            m.put("model.demo.parallel", "4");
            m.put("model.demo.max-in-flight", "4");
            m.put("model.demo.queue", "4");
            m.put("snowcrash.pool.acquire-timeout", "15s");
        }
        return Settings.of(m, "soak");
    }

    private static ResourceSampler.Sample withMedians(ResourceSampler.Sample mark, List<ResourceSampler.Sample> window) {
        if (window.isEmpty()) {
            return mark;
        }
        int[] fds = window.stream().mapToInt(ResourceSampler.Sample::fds).sorted().toArray();
        int[] threads = window.stream().mapToInt(ResourceSampler.Sample::threads).sorted().toArray();
        return new ResourceSampler.Sample(mark.atMillis(), mark.rssBytes(), fds[fds.length / 2], threads[threads.length / 2],
                mark.heapBytes());
    }

    private static SoakReport withLeftovers(SoakReport r, ResourceSampler.Sample afterClose, List<String> containers,
                                            List<String> temp) {
        return new SoakReport(r.options(), r.ran(), r.scenes(), r.counts(), r.caused(), r.tried(), r.burstRefused(), r.frozenTimeouts(),
                r.tenth(), r.end(), afterClose, containers, temp);
    }

    /** Containers of this run still there once the engine had time to remove them (auto-removal is asynchronous). */
    private List<String> awaitNoContainers() throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<String> left = docker.allContainers();
        while (!left.isEmpty() && System.nanoTime() < until) {
            Thread.sleep(200); // polling the engine for a state
            left = docker.allContainers();
        }
        return left;
    }

    private static Path engineSocket() {
        String host = System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");
        if (!host.startsWith("unix://")) {
            throw new IllegalStateException("DOCKER_HOST=" + host + ": the soak cuts the engine connection through a"
                    + " Unix socket of its own, so it needs an engine on a Unix socket");
        }
        return Path.of(host.substring("unix://".length()));
    }

    private static void sleepUntil(long t0, long millis) throws InterruptedException {
        long left = millis - (System.nanoTime() - t0) / 1_000_000;
        if (left > 0) {
            Thread.sleep(left); // the run's length is time by definition
        }
    }

    private static Set<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(HashSet::new));
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
