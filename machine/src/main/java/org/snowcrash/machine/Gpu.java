package org.snowcrash.machine;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One NVIDIA discrete GPU. Immutable.
 *
 * @param name        as the driver names it ({@code NVIDIA GeForce RTX 4090})
 * @param totalMemory its memory in bytes; empty when only the driver's {@code /proc} entry was read (it has no sizes)
 * @param freeMemory  its free memory in bytes when detected; empty likewise
 * @param driver      the driver version, or empty when unknown
 */
public record Gpu(String name, OptionalLong totalMemory, OptionalLong freeMemory, String driver) {

    public Gpu {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(totalMemory, "totalMemory");
        Objects.requireNonNull(freeMemory, "freeMemory");
        Objects.requireNonNull(driver, "driver");
    }
}
