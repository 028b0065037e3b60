package org.snowcrash.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.ModelSpec;

/**
 * 1, 2 and 4 viewers streaming at once from one Docker model, started with {@code parallel} 1
 * and with 4 ({@code -c 2048}, so each of four slots still holds 512 tokens): aggregate tokens
 * per second (all answers' tokens over the time from the first call to the last answer's end) and
 * the p95 of every viewer's time to first token. Each round every viewer asks a question of its
 * own, new each round, so nothing comes from a cache, and they start together; the two models
 * take rounds in turn.
 */
final class ViewerRows {

    private static final int CONTEXT = 2048;

    private final int rounds;
    private final int answer;
    private final String image;
    private final Path work;
    private final ServeBench.Rows rows;

    ViewerRows(int rounds, int tokens, String image, Path work, ServeBench.Rows rows) {
        this.rounds = rounds;
        this.answer = Math.min(tokens, 128);
        this.image = image;
        this.work = work;
        this.rows = rows;
    }

    void viewers() throws Exception {
        Path file = ConversationModel.write(work.resolve("viewers.gguf"));
        ModelSpec one = ModelSpec.builder("viewers-1", file).contextSize(CONTEXT).startupTimeout(Duration.ofMinutes(2)).build();
        ModelSpec four = one.toBuilder().id("viewers-4").parallel(4).build();
        var settings = ConversationRows.dockerSettings(image, Map.of("viewers-1", BenchKit.freePort(), "viewers-4", BenchKit.freePort()));
        try (RunningModel m1 = RunningModel.builder().settings(settings).spec(one).backend("docker").start();
             RunningModel m4 = RunningModel.builder().settings(settings).spec(four).backend("docker").start()) {
            System.err.println("    " + m1.info().detail() + "; " + m4.info().detail());
            round(m1, 1, -1, new ArrayList<>()); // warm both (round -1: a question no measured round asks)
            round(m4, 1, -1, new ArrayList<>());
            for (int viewers : new int[] {1, 2, 4}) {
                double[][] tps = new double[2][rounds];
                List<List<Double>> ttft = List.of(new ArrayList<>(), new ArrayList<>());
                for (int r = 0; r < rounds; r++) {
                    for (int k = 0; k < 2; k++) {
                        int which = (r + k) % 2;
                        tps[which][r] = round(which == 0 ? m1 : m4, viewers, r, ttft.get(which));
                    }
                    // Each round on stderr: a p95 over few values is one round's worst, so show which.
                    System.err.printf(Locale.ROOT, "    %d at once, round %d: parallel 1 %.0f tok/s, first tokens %s ms; parallel 4 %.0f tok/s, %s ms%n",
                            viewers, r, tps[0][r], last(ttft.get(0), viewers), tps[1][r], last(ttft.get(1), viewers));
                }
                double tps1 = Stats.median(tps[0]);
                double tps4 = Stats.median(tps[1]);
                double p95one = Stats.percentile(ttft.get(0).stream().mapToDouble(Double::doubleValue).toArray(), 95);
                double p95four = Stats.percentile(ttft.get(1).stream().mapToDouble(Double::doubleValue).toArray(), 95);
                String who = "concurrent viewers, Docker, " + viewers + (viewers == 1 ? " viewer" : " at once");
                rows.add(who + ": aggregate tok/s, " + answer + "-token answers", String.format(Locale.ROOT, "%.0f (parallel 4)", tps4),
                        String.format(Locale.ROOT, "%.0f (parallel 1)", tps1), "ratio " + Stats.ratio(tps4 / tps1), "-", true);
                rows.add(who + ": time to first token p95 (ms)", Stats.ms(p95four) + " (parallel 4)",
                        Stats.ms(p95one) + " (parallel 1)", "ratio " + Stats.ratio(p95four / p95one), "-", true);
            }
        }
    }

    private static List<Long> last(List<Double> values, int n) {
        return values.subList(values.size() - n, values.size()).stream().map(Math::round).toList();
    }

    /** One round: the aggregate tokens per second; each viewer's time to first token goes to {@code ttft}. */
    private double round(RunningModel model, int viewers, int round, List<Double> ttft) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(viewers);
        try {
            CyclicBarrier together = new CyclicBarrier(viewers);
            List<Future<long[]>> calls = new ArrayList<>();
            for (int v = 0; v < viewers; v++) {
                ChatRequest req = ChatRequest.of(List.of(ChatMessage.system(ConversationScript.SYSTEM),
                        ChatMessage.user(ConversationScript.viewerQuestion(round, v))), answer).withTemperature(0);
                calls.add(pool.submit(() -> {
                    together.await(60, TimeUnit.SECONDS);
                    AtomicLong first = new AtomicLong();
                    long start = System.nanoTime();
                    ChatResponse r = model.stream(req, p -> first.compareAndSet(0, System.nanoTime()), new Cancellation());
                    return new long[] {first.get() - start, r.usage().completionTokens(), start, System.nanoTime()};
                }));
            }
            long begin = Long.MAX_VALUE;
            long end = 0;
            int tokens = 0;
            for (Future<long[]> f : calls) {
                long[] got = f.get(10, TimeUnit.MINUTES);
                ttft.add(got[0] / 1e6);
                tokens += (int) got[1];
                begin = Math.min(begin, got[2]);
                end = Math.max(end, got[3]);
            }
            return tokens / ((end - begin) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }
}
