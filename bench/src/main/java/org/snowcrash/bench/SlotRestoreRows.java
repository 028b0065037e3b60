package org.snowcrash.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.snowcrash.agent.Agent;
import org.snowcrash.agent.AgentEvent;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.backend.docker.SlotCache;
import org.snowcrash.testkit.TinyLlama;

/**
 * The first turn after a restart, with and without the slot cache: a four-turn conversation on
 * the tiny random model ({@code TinyLlama.demo()}) at {@code -c 2048}, its container killed ({@code docker kill}) once the last turn's cache is
 * saved (its event), then the turn that fails and the next one, served by a new container. Reported:
 * the prompt tokens the server processed for that turn (its own count) and the time from asking
 * to the first token (medians over the rounds, with and without alternating).
 */
final class SlotRestoreRows {

    private static final String SYSTEM = "You are Snowcrash, a small robot in a busy lab. Answer in one short"
            + " sentence. Your camera sees a person on the left, two cups on the table ahead, a red box by the door,"
            + " a window on the right and a plant in the corner.";

    private final int rounds;
    private final String image;
    private final Path work;
    private final ServeBench.Rows rows;

    SlotRestoreRows(int rounds, String image, Path work, ServeBench.Rows rows) {
        this.rounds = rounds;
        this.image = image;
        this.work = work;
        this.rows = rows;
    }

    private record Resumed(int processed, int prompt, double firstTokenMs) {
    }

    void firstTurnAfterRestart() throws Exception {
        // The tiny random model: the 50 MB one processes a 1,000-token prompt in over a minute on a
        // loaded 2-core machine, and the row only needs the same prompt on both sides.
        Path file = work.resolve("slots-demo.gguf");
        TinyLlama.demo().write(file);
        ModelSpec spec = ModelSpec.builder("slots", file).contextSize(2048).gpuLayers(0)
                .startupTimeout(Duration.ofMinutes(2)).build();
        double[] processedOn = new double[rounds];
        double[] processedOff = new double[rounds];
        double[] ttftOn = new double[rounds];
        double[] ttftOff = new double[rounds];
        int prompt = 0;
        for (int r = 0; r < rounds; r++) {
            for (boolean on : r % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                Resumed x = once(spec, on, r);
                prompt = x.prompt();
                (on ? processedOn : processedOff)[r] = x.processed();
                (on ? ttftOn : ttftOff)[r] = x.firstTokenMs();
            }
        }
        double p = Stats.median(processedOn) / Math.max(1, Stats.median(processedOff));
        rows.add("first turn after a restart, prompt tokens processed (" + prompt + "-token prompt), with / without slot restore",
                Stats.whole(Stats.median(processedOn)), Stats.whole(Stats.median(processedOff)), Stats.ratio(p), "≤ 0.10", p <= 0.10);
        double t = Stats.median(ttftOn) / Stats.median(ttftOff);
        rows.add("first turn after a restart, time to first token, with / without slot restore",
                Stats.ms(Stats.median(ttftOn)), Stats.ms(Stats.median(ttftOff)), Stats.ratio(t), "< 1", t < 1);
    }

    /** One round; each has a cache folder of its own, or a round would resume from the one before. */
    private Resumed once(ModelSpec spec, boolean on, int round) throws Exception {
        int port = BenchKit.freePort();
        Map<String, String> m = new HashMap<>(Map.of("backend.docker.image", image, "backend.docker.pull", "never",
                "backend.docker.gpu", "off", "backend.docker.slot-cache", String.valueOf(on),
                "backend.docker.slot-cache-dir", work.resolve("slot-cache-" + round).toString(),
                "model.slots.port", String.valueOf(port), "model.slots.container", "snowcrash-bench-slots",
                "model.slots.memory", "2g"));
        Semaphore saved = new Semaphore(0);
        try (Agent agent = Agent.builder().settings(Settings.of(m, "bench")).spec(spec).backend("docker")
                .systemPrompt(SYSTEM).maxTokens(12).temperature(0).listener(e -> {
                    if (e instanceof AgentEvent.Lifecycle l && l.event() instanceof LifecycleEvent.Progress pr
                            && pr.message().startsWith(SlotCache.SAVED)) {
                        saved.release();
                    }
                }).start()) {
            for (int turn = 1; turn <= 4; turn++) {
                agent.ask("Turn " + turn + ": tell me what you see on the table and by the door,"
                        + " and whether the person on the left is still there, please.");
            }
            // Turns 2 to 4 continue the conversation and are saved: wait for the third save.
            if (on && !saved.tryAcquire(3, 2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the last turn's cache was not saved");
            }
            new ProcessBuilder("docker", "kill", "snowcrash-bench-slots").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            try {
                agent.ask("And now?");
            } catch (ChatException expected) {
                // the container is gone: this turn fails, the next one starts a new container
            }
            long[] first = new long[1];
            long[] asked = new long[1];
            // The new container starts inside this ask: the time counts from its ready event (the
            // container's start is the same with and without the cache) to the first token.
            agent.subscribe(e -> {
                if (e instanceof AgentEvent.Lifecycle l && l.event() instanceof LifecycleEvent.Ready) {
                    asked[0] = System.nanoTime();
                }
            });
            ChatResponse r = agent.ask("And now?", piece -> {
                if (first[0] == 0) {
                    first[0] = System.nanoTime();
                }
            });
            return new Resumed(r.usage().processedPromptTokens(), r.usage().promptTokens(), (first[0] - asked[0]) / 1e6);
        }
    }
}
