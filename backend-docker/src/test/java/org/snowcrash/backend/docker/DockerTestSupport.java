package org.snowcrash.backend.docker;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.snowcrash.api.BackendContext;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.testkit.docker.LlamaServerContainer;

import com.github.dockerjava.api.DockerClient;

/** Shared set-up for the real-engine tests. */
final class DockerTestSupport {

    private DockerTestSupport() {
    }

    /** This test JVM's run id: every container a test makes carries it, and cleanup removes only those. */
    static final String RUN = LlamaServerContainer.RUN;
    static final String RUN_LABEL = LlamaServerContainer.RUN_LABEL;

    static DockerClient client() {
        return DockerEngine.client(DockerCondition.HOST, Duration.ofSeconds(30));
    }

    static Settings settings(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put("backend.docker.image", DockerCondition.IMAGE);
        m.put("backend.docker.pull", "never");
        m.put("backend.docker.gpu", "off");
        m.put("backend.docker.labels", RUN_LABEL + "=" + RUN);
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return Settings.of(m, "test");
    }

    /** Removes the containers this test JVM made, and only those (other test runs may share the engine). */
    static void removeOwnContainers(DockerClient docker) {
        for (com.github.dockerjava.api.model.Container c : docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(RUN_LABEL, RUN)).exec()) {
            new Reaper(docker).remove(c.getId());
        }
    }

    /** Labels for a container a test creates by hand, so that cleanup finds it. */
    /**
     * Closes a model a test class started, then removes whatever containers this run left, even
     * when the close failed.
     */
    static void closeAndRemoveOwnContainers(org.snowcrash.agent.RunningModel model) {
        try {
            if (model != null) {
                model.close();
            }
        } finally {
            try (var docker = client()) {
                removeOwnContainers(docker);
            } catch (java.io.IOException e) {
                // the client's connection goes away either way
            }
        }
    }

    static Map<String, String> runLabels(Map<String, String> labels) {
        Map<String, String> m = new HashMap<>(labels);
        m.put(RUN_LABEL, RUN);
        return m;
    }

    static BackendContext context(String... keyValues) {
        return BackendContext.of(settings(keyValues));
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A model for a real-engine test: its spec (what every backend means) and the container
     * options the Docker backend reads from its own keys, passed to it as settings.
     */
    record TestModel(ModelSpec spec, int port, String containerName, long memoryBytes, long shmBytes,
                     java.util.List<String> args) {

        String id() {
            return spec.id();
        }

        Path file() {
            return spec.file();
        }

        /** The backend's test settings plus this model's container keys, then {@code keyValues}. */
        Settings settings(String... keyValues) {
            String p = "model." + spec.id() + ".";
            java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(p + "port", String.valueOf(port),
                    p + "container", containerName, p + "memory", String.valueOf(memoryBytes),
                    p + "shm-size", String.valueOf(shmBytes), p + "args", String.join(" ", args)));
            all.addAll(java.util.List.of(keyValues));
            return DockerTestSupport.settings(all.toArray(new String[0]));
        }

        BackendContext context(String... keyValues) {
            return BackendContext.of(settings(keyValues));
        }

        TestModel withSpec(ModelSpec other) {
            return new TestModel(other, port, containerName, memoryBytes, shmBytes, args);
        }

        TestModel withArgs(String... serverArgs) {
            return new TestModel(spec, port, containerName, memoryBytes, shmBytes, java.util.List.of(serverArgs));
        }
    }

    /** A model on a free port with a unique container name, small limits. */
    static TestModel model(ModelSpec spec, String name) {
        return new TestModel(spec, freePort(), "snowcrash-test-" + name + "-" + RUN.substring(0, 8), 512L << 20,
                64L << 20, java.util.List.of());
    }

    /** A demo model in {@code dir}, on a free port with a unique container name. */
    static TestModel demoSpec(Path dir, String name) throws IOException {
        Path file = dir.resolve("demo.gguf");
        if (!java.nio.file.Files.exists(file)) {
            TinyLlama.demo().write(file);
        }
        return model(ModelSpec.builder("demo", file).startupTimeout(Duration.ofSeconds(60)).build(), name);
    }
}
