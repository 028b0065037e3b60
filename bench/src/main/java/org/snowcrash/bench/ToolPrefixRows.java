package org.snowcrash.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.snowcrash.agent.Agent;
import org.snowcrash.agent.AgentTool;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.api.ToolFormat;
import org.snowcrash.demo.DemoModel;

/**
 * Tools as a cached prefix: the same conversation asked by an agent that offers the robot's tools
 * on every turn and by one that offers none, each on a server (or in-process model) of its own.
 * The tools sit in the prompt's stable beginning, so once warm the prompt tokens the backend
 * processes per turn (sent minus reused from its cache: deterministic counts, not timings) should
 * be within 10 % of the conversation without tools. The questions are ones the demo model answers
 * in text, so neither side calls a tool and both see the same turns.
 */
final class ToolPrefixRows {

    /** Questions the demo model answers in text; the conversation repeats them. */
    private static final List<String> QUESTIONS = List.of("What do you see?", "How many cups do you see?",
            "What is 4 plus 3?", "Where is the person?", "Hello!", "What is 6 minus 2?");
    private static final int WARM = 2;

    private static final AgentTool MOVE = AgentTool.of(org.snowcrash.demo.DemoModel.MOVE, a -> "would move");
    private static final AgentTool TURN = AgentTool.of(org.snowcrash.demo.DemoModel.TURN, a -> "would turn");

    private final int turns;
    private final String image;
    private final Path work;
    private final ServeBench.Rows rows;

    ToolPrefixRows(int turns, String image, Path work, ServeBench.Rows rows) {
        this.turns = turns;
        this.image = image;
        this.work = work;
        this.rows = rows;
    }

    void docker() throws Exception {
        Path file = demo("demo-tools.gguf");
        Settings settings = ConversationRows.dockerSettings(image, Map.of("tools-a", BenchKit.freePort(), "tools-b", BenchKit.freePort()));
        try (Agent with = agent(settings, spec("tools-a", file), "docker", true);
             Agent without = agent(settings, spec("tools-b", file), "docker", false)) {
            report("tools as a cached prefix, Docker", with, without);
        }
    }

    void inProcess() throws Exception {
        // Two files: java-llama.cpp loads a file once per process, and each side needs a cache of its own.
        try (Agent with = agent(Settings.empty(), spec("tools-a", demo("tools-a.gguf")), "llamacpp", true);
             Agent without = agent(Settings.empty(), spec("tools-b", demo("tools-b.gguf")), "llamacpp", false)) {
            report("tools as a cached prefix, in-process", with, without);
        }
    }

    private Path demo(String name) throws Exception {
        Path file = work.resolve(name);
        if (!Files.exists(file)) {
            DemoModel.install(file);
        }
        return file;
    }

    private static ModelSpec spec(String id, Path file) {
        return ModelSpec.builder(id, file).contextSize(512).gpuLayers(0).toolFormat(ToolFormat.SNOWCRASH)
                .startupTimeout(Duration.ofMinutes(2)).build();
    }

    private static Agent agent(Settings settings, ModelSpec spec, String backend, boolean tools) {
        Agent.Builder b = Agent.builder().settings(settings).spec(spec).backend(backend)
                .systemPrompt(DemoModel.SCENE).maxTokens(48).temperature(0);
        if (tools) {
            b.tool(MOVE).tool(TURN);
        }
        return b.start();
    }

    private void report(String name, Agent with, Agent without) {
        long[] processed = new long[2];
        long[] sent = new long[2];
        int calls = 0;
        for (int turn = 0; turn < turns; turn++) {
            String q = QUESTIONS.get(turn % QUESTIONS.size());
            // Alternate which side goes first, so the machine's drift falls on both alike.
            Agent[] order = turn % 2 == 0 ? new Agent[] {with, without} : new Agent[] {without, with};
            for (Agent a : order) {
                ChatResponse r = a.ask(q);
                calls += r.hasToolCalls() ? 1 : 0;
                int side = a == with ? 0 : 1;
                if (turn >= WARM) {
                    processed[side] += r.usage().promptTokens() - r.usage().cachedPromptTokens();
                    sent[side] += r.usage().promptTokens();
                }
            }
        }
        double ratio = (double) processed[0] / Math.max(1, processed[1]);
        rows.add(name + ": prompt tokens processed per turn once warm, with tools / without (sent "
                        + sent[0] + " / " + sent[1] + ", " + calls + " calls)",
                String.format(Locale.ROOT, "%.1f", processed[0] / (double) (turns - WARM)),
                String.format(Locale.ROOT, "%.1f", processed[1] / (double) (turns - WARM)),
                String.format(Locale.ROOT, "%.2f", ratio), "≤ 1.10", ratio <= 1.10);
    }
}
