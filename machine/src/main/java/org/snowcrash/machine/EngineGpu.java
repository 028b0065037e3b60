package org.snowcrash.machine;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a container engine offers for GPUs, from its {@code info} and {@code version} answers.
 * Immutable.
 *
 * @param runtimes   the runtimes {@code docker info} lists ({@code runc}, {@code nvidia}, ...)
 * @param apiVersion the engine's API version ({@code 1.47}), empty when not known
 */
public record EngineGpu(Set<String> runtimes, Optional<String> apiVersion) {

    /** Device requests ({@code HostConfig.DeviceRequests}, {@code --gpus}) arrived in Docker Engine API 1.40 (Docker 19.03). */
    static final int[] DEVICE_REQUESTS_SINCE = {1, 40};

    public EngineGpu {
        runtimes = Set.copyOf(runtimes);
        Objects.requireNonNull(apiVersion, "apiVersion");
    }

    /** Whether {@code docker info} lists a runtime named {@code nvidia}. */
    public boolean hasNvidiaRuntime() {
        return runtimes.contains("nvidia");
    }

    /**
     * Whether the engine's API takes device requests. It says nothing of the NVIDIA Container
     * Toolkit on the engine's host, which a GPU device request also needs.
     */
    public boolean supportsDeviceRequests() {
        if (apiVersion.isEmpty()) {
            return false;
        }
        String[] parts = apiVersion.get().trim().split("\\.");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major > DEVICE_REQUESTS_SINCE[0] || (major == DEVICE_REQUESTS_SINCE[0] && minor >= DEVICE_REQUESTS_SINCE[1]);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** {@code runtimes [nvidia, runc], API 1.47}. */
    public String describe() {
        return "runtimes " + new TreeSet<>(runtimes) + ", API " + apiVersion.orElse("unknown");
    }
}
