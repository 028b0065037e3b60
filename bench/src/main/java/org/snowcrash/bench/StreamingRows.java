package org.snowcrash.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import org.snowcrash.agent.Agent;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.Pair;
import org.snowcrash.testkit.docker.LlamaServerContainer;

/**
 * Streaming throughput and time to first token: an agent on the Docker backend against a plain
 * llama-server read with the JDK's HTTP client, and an agent on the in-process backend against a
 * bare java-llama.cpp generate loop on the same file; the two sides alternate in every round.
 */
final class StreamingRows {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMPT = "Tell me about the robot and what it sees.";

    private final int rounds;
    private final int tokens;
    private final String image;
    private final Path work;
    private final Path timingModel;
    private final ServeBench.Rows rows;
    private final HttpClient http = HttpClient.newHttpClient();
    private double lastLoopTokens;

    /** @param work a folder holding {@code timing.gguf} */
    StreamingRows(int rounds, int tokens, String image, Path work, ServeBench.Rows rows) {
        this.rounds = rounds;
        this.tokens = tokens;
        this.image = image;
        this.work = work;
        this.timingModel = work.resolve("timing.gguf");
        this.rows = rows;
    }

    void docker() throws Exception {
        ModelSpec spec = BenchKit.spec(timingModel, "snowcrash-bench-stream", 2048);
        double[] fwTps = new double[rounds];
        double[] rawTps = new double[rounds];
        double[] fwTtft = new double[rounds];
        double[] rawTtft = new double[rounds];
        // The baseline talks to a plain llama-server of its own (same image, model and flags, no API
        // key: the framework's containers always have one), alternating with the framework's requests.
        int rawPort = BenchKit.freePort();
        String rawName = "snowcrash-bench-raw-stream";
        LlamaServerContainer rawServer = BenchKit.startPlainServer(image, work, rawName, rawPort, "timing.gguf", 2048);
        try (Agent agent = Agent.builder().settings(BenchKit.dockerSettings(image, spec, "snowcrash-bench-stream")).spec(spec)
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
            rawServer.close();
        }
        double ratio = Stats.median(fwTps) / Stats.median(rawTps);
        rows.add("streaming throughput, Docker (tok/s)", Stats.whole(Stats.median(fwTps)), Stats.whole(Stats.median(rawTps)), "ratio " + Stats.ratio(ratio), "≥ 0.98", ratio >= 0.98);
        double diff = Stats.median(fwTtft) - Stats.median(rawTtft);
        rows.add("time to first token, warm, Docker (ms)", Stats.ratio(Stats.median(fwTtft)), Stats.ratio(Stats.median(rawTtft)), String.format(Locale.ROOT, "%+.2f ms", diff),
                "within 2 ms", diff <= 2.0);
    }

    void inProcess() throws Exception {
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
        rows.add("streaming throughput, in-process (tok/s)", Stats.whole(Stats.median(fw)), Stats.whole(Stats.median(raw)), "ratio " + Stats.ratio(ratio), "≥ 0.98", ratio >= 0.98);
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
}
