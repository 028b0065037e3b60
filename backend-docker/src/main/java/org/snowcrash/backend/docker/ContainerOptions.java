package org.snowcrash.backend.docker;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.snowcrash.api.Settings;
import org.snowcrash.api.SettingsReader;

/**
 * A model's container settings, which only this backend means, read from its own per-model keys
 * ({@code model.<id>.port}, {@code .container}, {@code .memory}, {@code .shm-size}, {@code .args}).
 * This class is the one place that owns their defaults and their validation.
 *
 * <p>Defaults are the original project's: llama on 8080 in {@code snowcrash-llama-server}, phi-3 on
 * 8081 in {@code snowcrash-phi3-server}, gemma on 8082 in {@code snowcrash-gemma-server}; the demo
 * on 8090; any other model on a free port chosen at start, in {@code snowcrash-<id>-server};
 * 2 GiB of memory (swap disabled) and of {@code /dev/shm}.
 *
 * @param port          the server's port; 0 for a free port chosen at start
 * @param containerName the container's name
 * @param memoryBytes   memory limit (swap disabled); 0 for none
 * @param shmBytes      {@code /dev/shm} size; 0 for the engine's default
 * @param serverArgs    extra llama-server arguments
 */
record ContainerOptions(int port, String containerName, long memoryBytes, long shmBytes, List<String> serverArgs) {

    /** Docker's own rule for container names. */
    static final Pattern CONTAINER_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
    static final long DEFAULT_MEMORY = 2L << 30;
    static final long DEFAULT_SHM = 2L << 30;

    private record Known(int port, String containerName) {
    }

    private static final Map<String, Known> KNOWN = Map.of(
            "llama", new Known(8080, "snowcrash-llama-server"),
            "phi-3", new Known(8081, "snowcrash-phi3-server"),
            "gemma", new Known(8082, "snowcrash-gemma-server"),
            "demo", new Known(8090, "snowcrash-demo-server"));

    ContainerOptions {
        serverArgs = List.copyOf(serverArgs);
    }

    /**
     * Reads a model's options, reporting every bad value at once.
     *
     * @throws org.snowcrash.api.ConfigurationException naming each bad key, value and source
     */
    static ContainerOptions from(Settings settings, String modelId) {
        SettingsReader r = settings.reader();
        String p = "model." + modelId + ".";
        Known known = KNOWN.getOrDefault(modelId, new Known(0, "snowcrash-" + modelId + "-server"));
        String name = r.string(p + "container", known.containerName());
        if (!CONTAINER_NAME.matcher(name).matches()) {
            r.problem(p + "container", name, "must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (at most 128 characters)");
        }
        ContainerOptions o = new ContainerOptions(
                r.integer(p + "port", known.port(), 0, 65535),
                name,
                r.bytes(p + "memory", DEFAULT_MEMORY),
                r.bytes(p + "shm-size", DEFAULT_SHM),
                r.words(p + "args"));
        r.throwIfProblems();
        return o;
    }

    /** These options with the port chosen at start. */
    ContainerOptions withPort(int chosen) {
        return new ContainerOptions(chosen, containerName, memoryBytes, shmBytes, serverArgs);
    }
}
