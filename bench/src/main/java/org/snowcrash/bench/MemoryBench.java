package org.snowcrash.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.snowcrash.models.MemoryEstimate;
import org.snowcrash.models.MemoryEstimator;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.models.gguf.GgmlType;
import org.snowcrash.models.gguf.GgufReader;

/**
 * Compares {@link MemoryEstimator}'s estimate with the memory a real llama-server container
 * uses, for model shapes written by {@link TinyLlama}. Run by hand (it needs a Docker engine and
 * the test image), from the repository root:
 *
 * <pre>
 * mvn -q -B -DskipTests package -pl bench -am &amp;&amp; java -cp 'bench/target/lib/*' org.snowcrash.bench.MemoryBench
 * </pre>
 *
 * <p>For each shape and context it starts {@code docker run --rm -p 127.0.0.1:PORT:8080 IMAGE -m
 * /m/x.gguf -c CTX -b BATCH -np 1 -lm none -lv 4}, waits for {@code /health} 200 and a second,
 * reads the container's memory from the engine's stats API ({@code usage} minus inactive file
 * pages, what {@code docker stats} shows), then asks for one 16-token completion and reads it
 * again (the server's prompt cache keeps the answered slot's state, so memory grows). The weights are
 * loaded without mmap ({@code -lm none}): mapped file pages are charged to whichever cgroup read
 * the file first, here the JVM that just wrote it, so with mmap the container reports too little.
 * It also takes the server's own buffer sizes from its log. Every container it starts is removed,
 * also on Ctrl-C. Options: {@code --image IMAGE} (default {@code $SNOWCRASH_TEST_IMAGE}, else
 * {@code snowcrash/llama-server:sid}), {@code --contexts 512,2048}, {@code --batch 128},
 * {@code --repeats 3} (the median is reported), {@code --only SHAPE}, {@code --load-mode none}.
 */
public final class MemoryBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double MIB = 1 << 20;

    /** A model shape to measure. */
    private record Shape(String name, TinyLlama model, int extraTokens) {
        int vocabulary() {
            return TinyLlama.vocabulary(extraTokens).size();
        }

        String describe() {
            return String.format(Locale.ROOT, "%s: %d layers, %d wide, ffn %d, %s, vocab %d", name, model.layers(),
                    model.embedding(), model.feedForward(), model.type(), vocabulary());
        }
    }

    /** The server's own report of its buffers, in MiB as it prints them. */
    private record ServerBuffers(double model, double kv, double compute, double output) {
        double total() {
            return model + kv + compute + output;
        }
    }

    /** Container memory once ready, and again after one answered request. */
    private record Run(double readyMib, double answeredMib, ServerBuffers buffers) {
    }

    private static final List<Shape> SHAPES = List.of(
            new Shape("demo", TinyLlama.demo(), 0),
            new Shape("timing", TinyLlama.timing(), 0),
            new Shape("vocab32k", new TinyLlama(4, 256, 4, 768, 2048, GgmlType.F16, 3), 32_000 - TinyLlama.vocabulary().size()),
            new Shape("f32", new TinyLlama(6, 384, 6, 1024, 2048, GgmlType.F32, 4), 8_000 - TinyLlama.vocabulary().size()),
            new Shape("large", new TinyLlama(16, 1024, 16, 2816, 2048, GgmlType.F16, 5), 32_000 - TinyLlama.vocabulary().size()));

    private final Set<String> started = ConcurrentHashMap.newKeySet();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private String image = System.getenv().getOrDefault("SNOWCRASH_TEST_IMAGE", "snowcrash/llama-server:sid");
    private List<Integer> contexts = List.of(512, 2048);
    private int batch = 128;
    private int repeats = 3;
    private String only;
    private String loadMode = "none";

    public static void main(String[] args) throws Exception {
        MemoryBench b = new MemoryBench();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--image": b.image = args[++i]; break;
                case "--contexts": b.contexts = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList(); break;
                case "--batch": b.batch = Integer.parseInt(args[++i]); break;
                case "--repeats": b.repeats = Integer.parseInt(args[++i]); break;
                case "--only": b.only = args[++i]; break;
                case "--load-mode": b.loadMode = args[++i]; break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(b::removeAll, "memory-bench-cleanup"));
        b.run();
    }

    private void run() throws Exception {
        Path dir = Files.createTempDirectory("snowcrash-memory-bench");
        List<String> rows = new ArrayList<>();
        try {
            for (Shape shape : SHAPES) {
                if (only != null && !only.equals(shape.name())) {
                    continue;
                }
                Path file = dir.resolve(shape.name()).resolve("x.gguf");
                shape.model().writer(shape.name(), shape.extraTokens()).write(file);
                System.err.println(shape.describe() + ", " + Files.size(file) + " bytes");
                for (int ctx : contexts) {
                    MemoryEstimate e = MemoryEstimator.estimate(GgufReader.read(file),
                            new MemoryEstimator.Settings(ctx, batch, 1, false, GgmlType.F16));
                    List<Run> runs = new ArrayList<>();
                    for (int r = 0; r < repeats; r++) {
                        try {
                            Run run = measure(file, shape.name() + "-" + ctx + "-" + r, ctx);
                            System.err.printf(Locale.ROOT, "  ctx %d run %d: ready %.2f MiB, after a request %.2f MiB, server buffers %s, estimate %s%n",
                                    ctx, r, run.readyMib(), run.answeredMib(), run.buffers(), e.describe());
                            runs.add(run);
                        } catch (IOException | IllegalStateException ex) {
                            System.err.printf(Locale.ROOT, "  ctx %d run %d failed: %s%n", ctx, r, ex);
                        }
                    }
                    if (runs.isEmpty()) {
                        continue;
                    }
                    runs.sort(Comparator.comparingDouble(Run::readyMib));
                    Run median = runs.get(runs.size() / 2);
                    double min = runs.get(0).readyMib();
                    double max = runs.get(runs.size() - 1).readyMib();
                    double ready = median.readyMib();
                    double answered = runs.stream().mapToDouble(Run::answeredMib).sorted().toArray()[runs.size() / 2];
                    rows.add(String.format(Locale.ROOT,
                            "| %s | %d | %.1f | %.1f | %.2f | %.1f | **%.1f** | %.1f | **%.1f** (%.1f–%.1f) | %.1f | %.2f | %.1f |",
                            shape.name(), ctx, e.weights() / MIB, e.kvCache() / MIB, e.computeBuffer() / MIB, e.runtime() / MIB,
                            e.total() / MIB, median.buffers().total(), ready, min, max,
                            ready - median.buffers().total(), e.total() / MIB / ready, answered));
                }
                Files.delete(file);
            }
        } finally {
            removeAll();
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.out.println("| shape | ctx | weights | KV | compute | runtime | estimate | server's buffers | measured when ready (range)"
                + " | measured − buffers | estimate / measured | after one request |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.println();
        System.out.println("MiB; batch " + batch + ", -np 1, load mode " + loadMode + ", median of " + repeats + " containers; image " + image);
    }

    /** Starts one container, waits until it answers, and returns its memory. */
    private Run measure(Path file, String suffix, int ctx) throws Exception {
        String name = "gguf-mem-" + suffix;
        int port = freePort();
        List<String> cmd = List.of("docker", "run", "-d", "--rm", "--name", name, "-p", "127.0.0.1:" + port + ":8080",
                "-v", file.getParent().toAbsolutePath() + ":/m:ro", image, "-m", "/m/" + file.getFileName(),
                "--host", "0.0.0.0", "--port", "8080", "-c", String.valueOf(ctx), "-b", String.valueOf(batch), "-np", "1",
                "-lm", loadMode, "-lv", "4");
        started.add(name);
        try {
            String id = exec(cmd).trim();
            waitHealthy(name, port);
            Thread.sleep(1000);
            double ready = memoryMib(id);
            complete(port);
            Thread.sleep(1000);
            double answered = memoryMib(id);
            return new Run(ready, answered, buffers(exec(List.of("docker", "logs", name))));
        } finally {
            exec(List.of("docker", "rm", "-f", name));
            started.remove(name);
        }
    }

    private void waitHealthy(String name, int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(name + " did not answer /health with 200 in 2 minutes: " + exec(List.of("docker", "logs", name)));
    }

    /** One short completion, so the memory is that of a server that has answered, not only loaded. */
    private void complete(int port) throws Exception {
        String body = "{\"prompt\":\"" + "hello world the robot can see ".repeat(8) + "\",\"n_predict\":16}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/completion"))
                .timeout(Duration.ofMinutes(5)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("completion answered " + r.statusCode() + ": " + r.body());
        }
    }

    /** The container's memory as {@code docker stats} computes it: usage minus inactive file pages. */
    private static double memoryMib(String containerId) throws IOException {
        JsonNode m = JSON.readTree(engineGet("/containers/" + containerId + "/stats?stream=false")).path("memory_stats");
        long usage = m.path("usage").asLong();
        JsonNode stats = m.path("stats");
        long inactive = stats.has("total_inactive_file") ? stats.path("total_inactive_file").asLong() : stats.path("inactive_file").asLong();
        return (usage - inactive) / MIB;
    }

    /** A GET on the Docker engine's API over its unix socket, as HTTP/1.0 so the body is not chunked. */
    private static String engineGet(String path) throws IOException {
        String host = System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");
        if (!host.startsWith("unix://")) {
            throw new IOException("only a unix:// DOCKER_HOST is supported, not " + host);
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(host.substring("unix://".length())));
            ch.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.0\r\nHost: docker\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = Channels.newInputStream(ch)) {
                in.transferTo(out);
            }
            String response = out.toString(StandardCharsets.UTF_8);
            int body = response.indexOf("\r\n\r\n");
            if (!response.startsWith("HTTP/1.") || !response.substring(9, 12).equals("200") || body < 0) {
                throw new IOException("engine answered: " + response.lines().findFirst().orElse(""));
            }
            return response.substring(body + 4);
        }
    }

    private static final Pattern BUFFER = Pattern.compile("(model|KV|compute|output) buffer size =\\s*([0-9.]+) MiB");

    private static ServerBuffers buffers(String log) {
        double[] sums = new double[4];
        Matcher m = BUFFER.matcher(log);
        while (m.find()) {
            int i = List.of("model", "KV", "compute", "output").indexOf(m.group(1));
            sums[i] += Double.parseDouble(m.group(2));
        }
        return new ServerBuffers(sums[0], sums[1], sums[2], sums[3]);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0 && !cmd.get(1).equals("rm")) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    private void removeAll() {
        for (String name : List.copyOf(started)) {
            try {
                exec(List.of("docker", "rm", "-f", name));
                started.remove(name);
            } catch (IOException | InterruptedException e) {
                System.err.println("could not remove container " + name + ": " + e);
            }
        }
    }
}
