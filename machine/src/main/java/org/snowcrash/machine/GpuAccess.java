package org.snowcrash.machine;

/** How a container is given the GPU. */
public enum GpuAccess {
    /** Not at all: the server runs on the CPU. */
    NONE,
    /** The engine's {@code nvidia} runtime ({@code docker run --runtime nvidia}): what Jetsons need. */
    NVIDIA_RUNTIME,
    /** A device request for every GPU ({@code docker run --gpus all}, engine API 1.40 and later). */
    DEVICE_REQUESTS
}
