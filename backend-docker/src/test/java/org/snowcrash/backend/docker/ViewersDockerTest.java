package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.ModelSpec;

import com.github.dockerjava.api.DockerClient;

/**
 * Several viewers streaming from one model at once, on a real llama-server with one slot or
 * several: the context each request gets is the slot's as the server reports it, and every
 * viewer gets exactly the answer it gets alone (greedy decoding), whole, on its own sink.
 */
@RequiresDocker
class ViewersDockerTest {

    private static final int VIEWERS = 4;

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

    private static ChatRequest request(int viewer) {
        return ChatRequest.of(List.of(ChatMessage.user("viewer " + viewer + " asks what the robot sees " + "now ".repeat(viewer))), 48)
                .withTemperature(0).withSeed(1);
    }

    @ParameterizedTest(name = "parallel {0} {1}: {2} tokens per request")
    @CsvSource({"1, '', 1024", "4, '', 256", "4, --kv-unified, 1024"})
    void everyViewerGetsItsOwnAnswerWhole(int parallel, String args, int perSlot) throws Exception {
        DockerTestSupport.TestModel demo = DockerTestSupport.demoSpec(dir, "viewers-" + parallel + (args.isEmpty() ? "" : "-u"));
        DockerTestSupport.TestModel spec = demo.withSpec(demo.spec().toBuilder().contextSize(1024).parallel(parallel).build())
                .withArgs(args.isEmpty() ? new String[0] : new String[] {args});
        try (RunningModel model = RunningModel.builder().settings(spec.settings()).spec(spec.spec()).backend("docker").start()) {
            // Without --kv-unified each of the -np slots owns -c / -np tokens; with it every slot reports all of -c.
            assertEquals(perSlot, model.info().contextSize(), model.info().detail());
            List<ChatResponse> alone = new ArrayList<>();
            for (int v = 0; v < VIEWERS; v++) {
                alone.add(model.chat(request(v)));
            }
            ExecutorService pool = Executors.newFixedThreadPool(VIEWERS);
            try {
                CyclicBarrier together = new CyclicBarrier(VIEWERS);
                List<Future<String[]>> streams = new ArrayList<>();
                for (int v = 0; v < VIEWERS; v++) {
                    int viewer = v;
                    streams.add(pool.submit(() -> {
                        StringBuilder sink = new StringBuilder();
                        together.await(30, TimeUnit.SECONDS);
                        ChatResponse r = model.stream(request(viewer), sink::append, new Cancellation());
                        return new String[] {r.text(), sink.toString(), String.valueOf(r.usage().completionTokens())};
                    }));
                }
                for (int v = 0; v < VIEWERS; v++) {
                    String[] got = streams.get(v).get(120, TimeUnit.SECONDS);
                    assertEquals(alone.get(v).text(), got[0], "viewer " + v + " got the answer it gets alone");
                    assertEquals(got[0], got[1], "viewer " + v + "'s sink saw exactly its own answer");
                    assertEquals(String.valueOf(alone.get(v).usage().completionTokens()), got[2]);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
