package org.snowcrash.backend.docker;

/** Whether containers get the {@code nvidia} runtime ({@code backend.docker.gpu}). */
enum GpuMode {
    /** Use the nvidia runtime when the engine lists it (the default). */
    AUTO,
    /** Require it: a start fails clearly when the engine has no nvidia runtime. */
    ON,
    /** Never use it. */
    OFF;

    String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
