package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.agent.Agent;
import org.snowcrash.agent.AgentEvent;
import org.snowcrash.agent.TrimPolicy;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Usage;

import com.github.dockerjava.api.DockerClient;

/**
 * A long conversation at {@code -c 512} against a real llama-server: what the server itself
 * reports about its prompt cache when the agent trims. Deterministic counts only (greedy decoding
 * of one model gives the same answers every run), never times.
 */
@RequiresDocker
class ConversationCacheDockerTest {

    private static final String SYSTEM = "You are the robot's voice. Be brief.";

    @TempDir
    Path dir;

    private DockerClient docker;

    @BeforeEach
    void connect() {
        docker = DockerTestSupport.client();
    }

    @AfterEach
    void cleanUp() throws Exception {
        DockerTestSupport.removeOwnContainers(docker);
        docker.close();
    }

    static String question(int i) {
        return "turn " + i + ": what do you see " + "now ".repeat(i % 4);
    }

    private record Turn(Usage usage, int dropped) {
    }

    private List<Turn> converse(DockerTestSupport.TestModel spec, TrimPolicy policy, int turns) {
        List<Turn> done = new CopyOnWriteArrayList<>();
        try (Agent agent = Agent.builder().settings(spec.settings()).spec(spec.spec()).backend("docker")
                .systemPrompt(SYSTEM).maxTokens(32).temperature(0).trimPolicy(policy)
                .listener(e -> {
                    if (e instanceof AgentEvent.TurnFinished t) {
                        done.add(new Turn(t.response().usage(), t.droppedMessages()));
                    }
                }).start()) {
            assertEquals(512, agent.info().contextSize(), "one slot with the whole context");
            for (int i = 1; i <= turns; i++) {
                agent.ask(question(i));
            }
        }
        return new ArrayList<>(done);
    }

    private static int processed(List<Turn> turns) {
        return turns.stream().mapToInt(t -> t.usage().processedPromptTokens()).sum();
    }

    @Test
    void afterEachTrimTheServerReusesTheSystemPromptAndThenEverythingSentBefore() throws Exception {
        DockerTestSupport.TestModel spec = DockerTestSupport.demoSpec(dir, "cache-aware");
        List<Turn> turns = converse(spec, TrimPolicy.CACHE_AWARE, 30);
        int trims = 0;
        for (int t = 1; t < turns.size(); t++) {
            Turn now = turns.get(t);
            Turn before = turns.get(t - 1);
            String where = "turn " + (t + 1) + ": " + now + " after " + before;
            if (now.dropped() > 0) {
                trims++;
                // The beginning (template and system prompt) is the same as before the trim.
                assertTrue(now.usage().cachedPromptTokens() > 0, where);
            } else {
                // Nothing dropped: the previous prompt is this one's beginning and comes from the cache whole.
                assertTrue(now.usage().cachedPromptTokens() >= before.usage().promptTokens(), where);
            }
        }
        assertTrue(trims >= 3, "the context filled and was trimmed: " + turns);

        List<Turn> oldest = converse(DockerTestSupport.demoSpec(dir, "oldest-first"), TrimPolicy.OLDEST_FIRST, 30);
        assertEquals(30, oldest.size());
        int a = processed(turns);
        int b = processed(oldest);
        System.out.println("prompt tokens processed over 30 turns: cache-aware " + a + ", oldest-first " + b);
        assertTrue(a * 2 < b, "prompt tokens the server processed: cache-aware " + a + ", oldest-first " + b);
    }
}
