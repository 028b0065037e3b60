package org.snowcrash.agent.pool;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.models.MemoryEstimator;
import org.snowcrash.models.gguf.GgufReader;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.testkit.fake.FakeBackend;
import org.snowcrash.testkit.fake.PromptCounter;

/**
 * What the pool's tests share: three real tiny models {@code a}, {@code b}, {@code c} in a
 * directory, their memory estimate as the pool computes it, the settings that catalog them, and
 * the fake backend that answers {@code "<model> says: <last message>"}.
 */
final class PoolSetUp {

    /** The test models. */
    static final List<String> MODELS = List.of("a", "b", "c");

    private final Path dir;
    /** The real estimate of one test model as the pool computes it (context 512, batch 128: the defaults). */
    final long estimate;

    /** Writes the test models into {@code dir}. */
    PoolSetUp(Path dir) throws Exception {
        this.dir = dir;
        for (String id : MODELS) {
            TinyLlama.demo().write(dir.resolve(id + ".gguf"));
        }
        estimate = MemoryEstimator.estimate(GgufReader.read(dir.resolve("a.gguf")), MemoryEstimator.Settings.of(512, 128)).total();
    }

    /** The pool's fake: id {@code fake}, one start per call, answers "&lt;model&gt; says: ...", one token a message. */
    static FakeBackend backend() {
        return FakeBackend.builder("fake").reply(FakeBackend.Reply.SAYS).counter(PromptCounter.perMessage()).build();
    }

    /** The settings that catalog the test models, then these keys and values. */
    Map<String, String> keys(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put("snowcrash.models.dir", dir.toString());
        for (String id : MODELS) {
            m.put("model." + id + ".file", id + ".gguf");
        }
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** A budget that holds {@code models} of the test models and not one more. */
    String budgetFor(int models) {
        return Long.toString(models * estimate + estimate / 2);
    }

    static ChatRequest ask(String text) {
        return ChatRequest.of(List.of(ChatMessage.user(text)), 16);
    }

    /** The models these events unloaded, in order. */
    static List<String> unloadedIds(List<? extends LifecycleEvent> events) {
        List<String> out = new ArrayList<>();
        for (LifecycleEvent e : events) {
            if (e instanceof LifecycleEvent.Unloaded u) {
                out.add(u.modelId());
            }
        }
        return out;
    }
}
