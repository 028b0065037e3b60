package org.snowcrash.server;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.snowcrash.backend.docker.DockerCondition;
import org.snowcrash.testkit.docker.LlamaServerContainer;

/**
 * Settings that serve the demo model from a container the Docker backend starts. Each container
 * carries the test kit's run label ({@link LlamaServerContainer#RUN_LABEL}), so that
 * {@link LlamaServerContainer#removeOwn()} and the "nothing left" checks
 * ({@link LlamaServerContainer#containers()}) see only this JVM's (other test runs share the engine).
 */
final class DockerRun {

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
        m.put("backend.docker.labels", LlamaServerContainer.RUN_LABEL + "=" + LlamaServerContainer.RUN);
        m.put("model.demo.port", String.valueOf(LlamaServerContainer.freePort()));
        m.put("model.demo.container", "snowcrash-servetest-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet());
        m.put("model.demo.parallel", "1"); // one llama-server slot: a request holds it until it ends
        if (!args.isEmpty()) {
            m.put("model.demo.args", args);
        }
        return m;
    }
}
