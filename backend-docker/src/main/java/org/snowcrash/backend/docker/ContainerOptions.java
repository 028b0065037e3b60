package org.snowcrash.backend.docker;

import java.util.List;

import org.snowcrash.api.ModelSpec;

/**
 * A model's container settings, which only this backend means: port, container name, memory
 * and shared-memory limits, extra server arguments.
 *
 * @param port          the server's port
 * @param containerName the container's name
 * @param memoryBytes   memory limit (swap disabled); 0 for none
 * @param shmBytes      {@code /dev/shm} size; 0 for the engine's default
 * @param serverArgs    extra llama-server arguments
 */
record ContainerOptions(int port, String containerName, long memoryBytes, long shmBytes, List<String> serverArgs) {

    ContainerOptions {
        serverArgs = List.copyOf(serverArgs);
    }

    static ContainerOptions of(ModelSpec spec) {
        return new ContainerOptions(spec.port(), spec.containerName(), spec.memoryBytes(), spec.shmBytes(), spec.extraArgs());
    }
}
