package org.snowcrash.backend.docker;

import java.util.List;

import org.snowcrash.machine.GpuAccess;

import com.github.dockerjava.api.model.DeviceRequest;
import com.github.dockerjava.api.model.HostConfig;

/** Puts a {@link GpuAccess} into a container's host configuration. */
final class GpuHost {

    /** The runtime the NVIDIA Container Toolkit registers. */
    static final String NVIDIA_RUNTIME = "nvidia";

    private GpuHost() {
    }

    /**
     * {@code --runtime nvidia}, or what {@code docker run --gpus all} sends: a device request
     * with no driver, count -1 (every GPU) and the capability {@code gpu}.
     */
    static void apply(GpuAccess gpu, HostConfig hc) {
        switch (gpu) {
            case NVIDIA_RUNTIME -> hc.withRuntime(NVIDIA_RUNTIME);
            case DEVICE_REQUESTS -> hc.withDeviceRequests(List.of(new DeviceRequest().withDriver("").withCount(-1)
                    .withCapabilities(List.of(List.of("gpu")))));
            case NONE -> { }
        }
    }
}
