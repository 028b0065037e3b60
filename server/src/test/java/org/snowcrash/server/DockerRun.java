package org.snowcrash.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.snowcrash.backend.docker.DockerCondition;

/**
 * This test JVM's containers: each carries a run label, so that cleanup and the "nothing left"
 * checks see only ours (other test runs share the engine). Uses the docker command.
 */
final class DockerRun {

    static final String LABEL = "snowcrash-test.run";
    static final String RUN = UUID.randomUUID().toString();
    private static final AtomicInteger NAMES = new AtomicInteger();

    private DockerRun() {
    }

    /**
     * Settings for the demo model in a container only (in-process off), on a free port with a
     * unique name; {@code args} are extra llama-server flags.
     */
    static Map<String, String> settings(java.nio.file.Path models, String args) {
        Map<String, String> m = new HashMap<>(ServeTestSupport.inProcess(models));
        m.remove("backend.docker.enabled");
        m.put("backend.llamacpp.enabled", "false");
        m.put("backend.docker.image", DockerCondition.IMAGE);
        m.put("backend.docker.pull", "never");
        m.put("backend.docker.gpu", "off");
        m.put("backend.docker.labels", LABEL + "=" + RUN);
        m.put("model.demo.port", String.valueOf(freePort()));
        m.put("model.demo.container", "snowcrash-servetest-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet());
        m.put("model.demo.parallel", "1"); // one llama-server slot: a request holds it until it ends
        if (!args.isEmpty()) {
            m.put("model.demo.args", args);
        }
        return m;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The ids of this run's containers, running or not. */
    static List<String> containers() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("docker", "ps", "-aq", "--filter", "label=" + LABEL + "=" + RUN).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
    }

    /** Removes this run's containers (after a failed test), and only those. */
    static void removeOwn() throws IOException, InterruptedException {
        List<String> ids = containers();
        if (!ids.isEmpty()) {
            List<String> cmd = new ArrayList<>(List.of("docker", "rm", "-f"));
            cmd.addAll(ids);
            new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor();
        }
    }
}
