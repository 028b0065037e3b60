package org.snowcrash.backend.docker;

/** How containers get the GPU ({@code backend.docker.gpu}). */
enum GpuMode {
    /**
     * Decided from the machine (the default): the nvidia runtime on a Jetson, a device request on
     * a discrete GPU where the engine takes them (else the nvidia runtime), and without a GPU the
     * nvidia runtime only if the engine lists it. See {@link org.snowcrash.machine.ServerImages#autoAccess}.
     */
    AUTO,
    /** The nvidia runtime, required: a start fails clearly when the engine has no nvidia runtime. */
    ON,
    /** A device request for every GPU ({@code --gpus all}), required: a start fails clearly when the engine's API is older than 1.40. */
    DEVICES,
    /** Never a GPU. */
    OFF;

    String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
