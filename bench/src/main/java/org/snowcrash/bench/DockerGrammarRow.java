package org.snowcrash.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

import org.snowcrash.demo.DemoModel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.snowcrash.testkit.docker.LlamaServerContainer;

/**
 * The grammar-cost row on Docker: llama-server (the image the Docker backend runs, which receives a
 * request's {@code json_schema} unchanged and samples under the grammar it makes from it) generating
 * {@link GrammarRows#SEEN} against free text of the same length (end of sequence ignored), with the
 * demo model, greedy. The rate is the server's own {@code timings.predicted_per_second}: generation
 * alone, without HTTP or prompt time on either side. Rounds alternate the two sides; medians.
 */
final class DockerGrammarRow {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int rounds;
    private final Path work;
    private final String image;
    private final ServeBench.Rows rows;
    private final HttpClient http = HttpClient.newHttpClient();

    DockerGrammarRow(int rounds, Path work, String image, ServeBench.Rows rows) {
        this.rounds = rounds;
        this.work = work;
        this.image = image;
        this.rows = rows;
    }

    void demo() throws Exception {
        Path file = work.resolve("docker-grammar/snowcrash-demo.gguf");
        java.nio.file.Files.createDirectories(file.getParent());
        DemoModel.install(file);
        measure("json_schema vs free text, Docker (llama-server), demo model", file);
    }

    /** The same with the 50 MB random model, whose tokens cost what a real model's do relative to the grammar's. */
    void timing() throws Exception {
        Path file = work.resolve("docker-grammar-timing/timing.gguf");
        java.nio.file.Files.createDirectories(file.getParent());
        org.snowcrash.testkit.TinyLlama.timing().write(file);
        measure("json_schema vs free text, Docker (llama-server), 50 MB random model", file);
    }

    private void measure(String name, Path file) throws Exception {
        int port = BenchKit.freePort();
        try (LlamaServerContainer server = BenchKit.plainServer(image, file, "snowcrash-bench-grammar-" + ProcessHandle.current().pid(),
                port, 2048, 1)) {
            URI url = URI.create("http://127.0.0.1:" + port + "/v1/chat/completions");
            JsonNode first = post(url, request(true, 1024));
            if (!"stop".equals(first.path("choices").path(0).path("finish_reason").asText())) {
                throw new IllegalStateException("the JSON answer did not complete: " + first.path("choices").path(0));
            }
            int length = first.path("timings").path("predicted_n").asInt();
            for (int w = 0; w < 2; w++) {
                post(url, request(true, 1024));
                post(url, request(false, length));
            }
            double[] constrained = new double[rounds];
            double[] free = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                if (i % 2 == 0) {
                    constrained[i] = rate(post(url, request(true, 1024)));
                    free[i] = rate(post(url, request(false, length)));
                } else {
                    free[i] = rate(post(url, request(false, length)));
                    constrained[i] = rate(post(url, request(true, 1024)));
                }
                System.err.printf(Locale.ROOT, "    round %d: json_schema %.0f tok/s, free %.0f tok/s%n", i, constrained[i], free[i]);
            }
            double ratio = Stats.median(constrained) / Stats.median(free);
            rows.add(name,
                    Stats.whole(Stats.median(constrained)) + " tok/s (" + length + " tokens)",
                    Stats.whole(Stats.median(free)) + " tok/s", "ratio " + Stats.ratio(ratio), ">= 0.90", ratio >= 0.90);
        }
    }

    /** The question as the demo is asked it: with the JSON schema, or free and exactly {@code tokens} long. */
    private static ObjectNode request(boolean constrained, int tokens) {
        ObjectNode r = JSON.createObjectNode();
        var messages = r.putArray("messages");
        messages.addObject().put("role", "system").put("content", DemoModel.SCENE);
        messages.addObject().put("role", "user").put("content", "What do you see?");
        r.put("max_tokens", tokens).put("temperature", 0).put("seed", 1).put("cache_prompt", true);
        if (constrained) {
            ObjectNode format = r.putObject("response_format").put("type", "json_schema");
            format.putObject("json_schema").put("name", "seen").set("schema", readTree(GrammarRows.SEEN.json()));
        } else {
            r.put("ignore_eos", true);
        }
        return r;
    }

    private JsonNode post(URI url, ObjectNode body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("llama-server answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private static double rate(JsonNode answer) {
        return answer.path("timings").path("predicted_per_second").asDouble();
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a checked schema is JSON", e);
        }
    }
}
