package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.agent.pool.ModelPool;
import org.snowcrash.agent.pool.PooledModel;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.Settings;
import org.snowcrash.models.MemoryEstimator;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.models.gguf.GgmlType;
import org.snowcrash.models.gguf.GgufReader;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;

/**
 * The model pool on the real engine: two models under a budget that holds one. Asking for the
 * second evicts the first (its container is no longer running), each answer comes from the model
 * asked for, and asking for the first again brings it back in a new container.
 */
@RequiresDocker
class ModelPoolDockerTest {

    @TempDir
    Path dir;

    private DockerClient docker;
    private ModelPool pool;
    private final List<LifecycleEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void connect() {
        docker = DockerTestSupport.client();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (pool != null) {
            pool.close();
        }
        DockerTestSupport.removeOwnContainers(docker);
        docker.close();
    }

    /** The running containers of this test run for a model: {@code docker ps} by the run's label. */
    private List<String> running(String model) {
        return docker.listContainersCmd().withLabelFilter(Map.of(DockerTestSupport.RUN_LABEL, DockerTestSupport.RUN,
                Labels.MODEL, model)).exec().stream().map(Container::getId).toList();
    }

    private PooledModel state(String id) {
        return pool.models().stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void aBudgetForOneModelSwapsTheModelsAndTheirContainers() throws Exception {
        // Two different random-weight models: greedy answers tell them apart.
        new TinyLlama(2, 64, 4, 128, 2048, GgmlType.F32, 1).write(dir.resolve("one.gguf"));
        new TinyLlama(2, 64, 4, 128, 2048, GgmlType.F32, 2).write(dir.resolve("two.gguf"));
        long one = estimate("one.gguf");
        long two = estimate("two.gguf");
        long budget = Math.max(one, two) + Math.min(one, two) / 2;
        String tag = DockerTestSupport.RUN.substring(0, 8);
        Settings settings = DockerTestSupport.settings(
                "snowcrash.models.dir", dir.toString(),
                "snowcrash.memory.budget", Long.toString(budget),
                "model.one.file", "one.gguf", "model.two.file", "two.gguf",
                "model.one.port", Integer.toString(DockerTestSupport.freePort()),
                "model.two.port", Integer.toString(DockerTestSupport.freePort()),
                "model.one.container", "snowcrash-test-pool-one-" + tag,
                "model.two.container", "snowcrash-test-pool-two-" + tag,
                "model.one.memory", "512m", "model.two.memory", "512m",
                "model.one.shm-size", "64m", "model.two.shm-size", "64m",
                "model.one.startup-timeout", "60s", "model.two.startup-timeout", "60s");
        pool = ModelPool.builder().settings(settings).backend("docker").listener(events::add).build();
        ChatRequest hello = ChatRequest.of(List.of(ChatMessage.user("hello")), 8).withTemperature(0).withSeed(1);

        String first = pool.chat("one", hello).text();
        List<String> firstContainer = running("one");
        assertEquals(1, firstContainer.size());
        assertEquals(PooledModel.State.READY, state("one").state());
        assertEquals("docker", state("one").backendId().orElseThrow());
        assertEquals(one, state("one").estimatedBytes().getAsLong());

        String fromTwo = pool.chat("two", hello).text();
        assertEquals(List.of(), running("one"), "one's container was removed to make room");
        assertEquals(1, running("two").size());
        assertEquals(PooledModel.State.UNLOADED, state("one").state());
        LifecycleEvent.Unloaded evicted = events.stream().filter(LifecycleEvent.Unloaded.class::isInstance)
                .map(LifecycleEvent.Unloaded.class::cast).findFirst().orElseThrow();
        assertEquals(new LifecycleEvent.Unloaded("docker", "one", evicted.reason()), evicted);
        assertTrue(evicted.reason().startsWith("evicted for memory: making room for 'two'"), evicted.reason());

        String again = pool.chat("one", hello).text();
        assertEquals(first, again, "the same model answers the same greedy request the same way");
        assertNotEquals(first, fromTwo, "the other model answers otherwise");
        assertEquals(List.of(), running("two"));
        List<String> secondContainer = running("one");
        assertEquals(1, secondContainer.size());
        assertNotEquals(firstContainer, secondContainer, "brought back in a new container");

        pool.close();
        assertEquals(List.of(), running("one"));
        assertEquals(3, events.stream().filter(LifecycleEvent.Unloaded.class::isInstance).count());
    }

    private long estimate(String file) throws Exception {
        return MemoryEstimator.estimate(GgufReader.read(dir.resolve(file)), MemoryEstimator.Settings.of(512, 128)).total();
    }
}
