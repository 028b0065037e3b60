package org.snowcrash.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.snowcrash.agent.TrimPolicy;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.testkit.docker.LlamaServerContainer;

/**
 * The long-conversation rows: the script's turns ({@link ConversationScript}) at {@code -c 512}
 * with one slot, asked by (a) the agent with {@link TrimPolicy#CACHE_AWARE}, (b) the agent with
 * {@link TrimPolicy#OLDEST_FIRST} (the trimming before it) and, on Docker, (c) LangChain4j's
 * window memory with its own OpenAI client ({@link LangChain4jConversation}).
 *
 * <p>Each side has a server of its own with the same flags: a slot's cache is what is measured,
 * so two conversations must never share one. Their turns are interleaved in an order that
 * rotates every turn, so the machine's drift falls on all of them alike. Prompt tokens processed
 * are the server's own numbers, summed (deterministic for a given script and model); time to
 * first token is from the call to the first piece of text, p50 and p95 over the turns.
 */
final class ConversationRows {

    private final int turns;
    private final String image;
    private final Path work;
    private final ServeBench.Rows rows;
    private Path model;

    /**
     * @param turns turns per conversation (60; fewer only to check the harness)
     * @param work  a folder for the model files
     */
    ConversationRows(int turns, String image, Path work, ServeBench.Rows rows) {
        this.turns = turns;
        this.image = image;
        this.work = work;
        this.rows = rows;
    }

    void docker() throws Exception {
        Path file = model();
        int portC = BenchKit.freePort();
        Settings settings = dockerSettings(image, Map.of("conv-a", BenchKit.freePort(), "conv-b", BenchKit.freePort()));
        try (LlamaServerContainer c = BenchKit.plainServer(image, file, "snowcrash-bench-conv-c", portC, ConversationScript.CONTEXT, 1);
             AgentConversation a = AgentConversation.start(spec("conv-a", file), settings, "docker", TrimPolicy.CACHE_AWARE);
             AgentConversation b = AgentConversation.start(spec("conv-b", file), settings, "docker", TrimPolicy.OLDEST_FIRST)) {
            report("long conversation, Docker", interleave(List.of(a, b, new LangChain4jConversation(portC))));
        }
    }

    void inProcess() throws Exception {
        // Two copies of the file: java-llama.cpp loads a file once per process, and each
        // conversation needs a slot (a prompt cache) of its own.
        Path fileA = Files.copy(model(), work.resolve("conv-a.gguf"), StandardCopyOption.REPLACE_EXISTING);
        Path fileB = Files.copy(model(), work.resolve("conv-b.gguf"), StandardCopyOption.REPLACE_EXISTING);
        try (AgentConversation a = AgentConversation.start(spec("conv-a", fileA).toBuilder().gpuLayers(0).build(),
                     Settings.empty(), "llamacpp", TrimPolicy.CACHE_AWARE);
             AgentConversation b = AgentConversation.start(spec("conv-b", fileB).toBuilder().gpuLayers(0).build(),
                     Settings.empty(), "llamacpp", TrimPolicy.OLDEST_FIRST)) {
            report("long conversation, in-process", interleave(List.of(a, b)));
        }
    }

    private Path model() throws Exception {
        if (model == null) {
            model = ConversationModel.write(work.resolve("conversation.gguf"));
        }
        return model;
    }

    private static ModelSpec spec(String id, Path file) {
        return ModelSpec.builder(id, file).contextSize(ConversationScript.CONTEXT).startupTimeout(Duration.ofMinutes(2)).build();
    }

    /**
     * The Docker backend's settings for these models, on the host network: the servers listen on
     * 127.0.0.1 with no docker-proxy in between (on a machine shared with other network tests,
     * streams through docker-proxy were cut now and then, which ends a 60-turn row).
     *
     * @param ports each model id's port
     */
    static Settings dockerSettings(String image, Map<String, Integer> ports) {
        Map<String, String> m = new HashMap<>(Map.of("backend.docker.image", image, "backend.docker.pull", "never",
                "backend.docker.gpu", "off", "backend.docker.network", "host"));
        ports.forEach((id, port) -> {
            m.put("model." + id + ".port", String.valueOf(port));
            m.put("model." + id + ".container", "snowcrash-bench-" + id);
            m.put("model." + id + ".memory", "2g");
        });
        return Settings.of(m, "bench");
    }

    /** Every side's turn 1, then every side's turn 2, ..., in an order that rotates each turn. */
    private List<List<Turn>> interleave(List<Conversation> sides) throws Exception {
        int n = sides.size();
        List<List<Turn>> runs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            runs.add(new ArrayList<>());
        }
        for (int turn = 1; turn <= turns; turn++) {
            for (int k = 0; k < n; k++) {
                int which = (turn + k) % n;
                runs.get(which).add(sides.get(which).ask(turn));
            }
            if (turn % 10 == 0) {
                System.err.println("    turn " + turn + ": " + runs.stream().map(r -> r.get(r.size() - 1).toString()).toList());
            }
        }
        return runs;
    }

    private void report(String name, List<List<Turn>> runs) {
        int n = runs.size();
        int[] processed = new int[n];
        int[] sent = new int[n];
        double[] p50 = new double[n];
        double[] p95 = new double[n];
        for (int i = 0; i < n; i++) {
            processed[i] = runs.get(i).stream().mapToInt(Turn::processed).sum();
            sent[i] = runs.get(i).stream().mapToInt(Turn::prompt).sum();
            double[] ttft = runs.get(i).stream().mapToDouble(Turn::ttftMs).toArray();
            p50[i] = Stats.percentile(ttft, 50);
            p95[i] = Stats.percentile(ttft, 95);
        }
        String others = n == 3 ? "(b) / (c)" : "(b)";
        double worstShare = 0;
        List<String> shares = new ArrayList<>();
        boolean lowestP95 = true;
        for (int i = 1; i < n; i++) {
            double share = 100.0 * processed[0] / processed[i];
            worstShare = Math.max(worstShare, share);
            shares.add(String.format(Locale.ROOT, "%.1f %% of (%c)", share, 'a' + i));
            lowestP95 &= p95[0] < p95[i];
        }
        rows.add(name + ": prompt tokens processed over " + turns + " turns (sent: " + join(sent) + ")",
                String.valueOf(processed[0]), others(processed), String.join(", ", shares), "(a) ≤ 40 % of " + others,
                worstShare <= 40);
        rows.add(name + ": time to first token p50 (ms)", Stats.ms(p50[0]), others(p50), ratios(p50), "-", true);
        rows.add(name + ": time to first token p95 (ms)", Stats.ms(p95[0]), others(p95), ratios(p95), "(a) below " + others,
                lowestP95);
    }

    private static String join(int[] v) {
        List<String> s = new ArrayList<>();
        for (int x : v) {
            s.add(String.valueOf(x));
        }
        return String.join(" / ", s);
    }

    private static String others(int[] v) {
        List<String> s = new ArrayList<>();
        for (int i = 1; i < v.length; i++) {
            s.add(String.valueOf(v[i]));
        }
        return String.join(" / ", s);
    }

    private static String others(double[] v) {
        List<String> s = new ArrayList<>();
        for (int i = 1; i < v.length; i++) {
            s.add(Stats.ms(v[i]));
        }
        return String.join(" / ", s);
    }

    private static String ratios(double[] v) {
        List<String> s = new ArrayList<>();
        for (int i = 1; i < v.length; i++) {
            s.add(String.format(Locale.ROOT, "(a)/(%c) %s", 'a' + i, Stats.ratio(v[0] / v[i])));
        }
        return String.join(", ", s);
    }
}
