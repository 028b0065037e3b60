package org.snowcrash.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.snowcrash.agent.Agent;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;

/**
 * The process's resident memory and Java heap at turn 10 and turn 100 of one in-process
 * conversation with the demo model: a leak per turn shows as growth between the two.
 */
final class MemoryRow {

    private final Path demoModel;
    private final ServeBench.Rows rows;

    /** @param work a folder holding {@code demo.gguf} */
    MemoryRow(Path work, ServeBench.Rows rows) {
        this.demoModel = work.resolve("demo.gguf");
        this.rows = rows;
    }

    void memory() throws Exception {
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
        rows.add("memory, turn 10 → 100 (RSS MiB)", (rss10 >> 20) + " → " + (rss100 >> 20), "-", Stats.ratio(rssGrowth) + " %", "growth ≤ 5 %", rssGrowth <= 5);
        rows.add("memory, turn 10 → 100 (heap MiB)", Stats.ratio(heap10 / 1048576.0) + " → " + Stats.ratio(heap100 / 1048576.0), "-",
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
}
