package org.snowcrash.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.snowcrash.testkit.TinyLlama;

/**
 * The benchmark: each row measures the framework and a raw baseline in the same run, alternating
 * them over several rounds and reporting medians, because absolute times on a small shared machine
 * drift. Run from the repository root after a build:
 * {@code java -cp 'bench/target/lib/*' org.snowcrash.bench.Bench [--rounds N] [--tokens N] [--only ROW]}.
 * Docker rows need an engine and the image in {@code SNOWCRASH_TEST_IMAGE}
 * (default {@code snowcrash/llama-server:sid}); without them they are reported as skipped.
 * This class holds the arguments, the list of rows and the table; the rows live in classes by theme.
 */
public final class Bench {

    private interface Measure {
        void run() throws Exception;
    }

    private final String only;
    private final List<String[]> rows = new ArrayList<>();

    private Bench(String only) {
        this.only = only;
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
        String only = "";
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--only")) {
                only = args[i + 1];
            }
        }
        String image = System.getenv().getOrDefault("SNOWCRASH_TEST_IMAGE", "snowcrash/llama-server:sid");
        Path work = Files.createTempDirectory("snowcrash-bench");
        Path timingModel = work.resolve("timing.gguf");
        TinyLlama.timing().write(timingModel);
        TinyLlama.demo().write(work.resolve("demo.gguf"));
        Bench b = new Bench(only);
        System.err.println("model for timing: " + Files.size(timingModel) / (1 << 20) + " MiB, " + rounds + " rounds, "
                + tokens + " tokens, " + Runtime.getRuntime().availableProcessors() + " cores");
        StreamingRows streaming = new StreamingRows(rounds, tokens, image, work, b::add);
        b.row("docker streaming + time to first token", streaming::docker);
        b.row("in-process streaming", streaming::inProcess);
        StartRows start = new StartRows(rounds, image, work, b::add);
        b.row("docker start to ready", start::dockerStart);
        b.row("pool switch", start::poolSwitch);
        LifecycleRows lifecycle = new LifecycleRows(rounds, image, work, b::add);
        b.row("fallback with no Docker engine", lifecycle::fallbackNoDocker);
        b.row("container dies while loading", lifecycle::containerDies);
        b.row("memory over a 100-turn conversation", new MemoryRow(work, b::add)::memory);
        b.row("shutdown on SIGTERM", lifecycle::shutdown);
        ServeBench serve = new ServeBench(rounds, tokens, image, work, b::add);
        b.row("serve streaming vs llama-server direct", serve::streaming);
        b.row("serve under overload", serve::overload);
        ConversationRows conversations = new ConversationRows(turns, image, work, b::add);
        b.row("long conversation, Docker", conversations::docker);
        b.row("long conversation, in-process", conversations::inProcess);
        ToolPrefixRows toolPrefix = new ToolPrefixRows(12, image, work, b::add);
        b.row("tools as a cached prefix, Docker", toolPrefix::docker);
        b.row("tools as a cached prefix, in-process", toolPrefix::inProcess);
        b.row("concurrent viewers, Docker", new ViewerRows(rounds, tokens, image, work, b::add)::viewers);
        GrammarRows grammar = new GrammarRows(rounds, work, b::add);
        b.row("json_schema vs free text, in-process, demo model", grammar::demo);
        b.row("json_schema vs free text, in-process, 50 MB random model", grammar::timing);
        DockerGrammarRow dockerGrammar = new DockerGrammarRow(rounds, work, image, b::add);
        b.row("json_schema vs free text, Docker, demo model", dockerGrammar::demo);
        b.row("json_schema vs free text, Docker, 50 MB random model", dockerGrammar::timing);
        b.row("first turn after a restart", new SlotRestoreRows(Math.min(rounds, 3), image, work, b::add)::firstTurnAfterRestart);
        b.print();
        // The models written for the run (about 160 MB) go with it.
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        System.exit(0);
    }

    /** Runs a row if its name starts with {@code --only}; a row that throws is reported as skipped. */
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

    private static int intArg(String[] args, String name, int def) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return def;
    }
}
