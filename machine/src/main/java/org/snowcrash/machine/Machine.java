package org.snowcrash.machine;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What kind of machine this is, as far as running llama.cpp goes: a Jetson, a host with NVIDIA
 * discrete GPUs, or CPU only. Every case carries the {@link Evidence} it was concluded from,
 * in the order it was read, including what was looked at and not found. Immutable values, made
 * by {@link MachineProbe}.
 */
public sealed interface Machine {

    /** What was read, in order, with what it said. */
    List<Evidence> why();

    /** The memory the GPU can use, in bytes: a Jetson's unified memory, the GPUs' total; empty when not known or no GPU. */
    OptionalLong gpuMemory();

    /** One line for people: {@code Jetson (NVIDIA Jetson AGX Orin), L4T 36.4.0, 30.0 GiB unified memory}. */
    String describe();

    /**
     * An NVIDIA Jetson: its GPU shares the system's memory.
     *
     * @param board         {@code /proc/device-tree/model}, or empty when it could not be read
     * @param release       the L4T release from {@code /etc/nv_tegra_release}, or empty when it could not be read
     * @param unifiedMemory {@code MemTotal} of {@code /proc/meminfo} in bytes, or empty when it could not be read
     * @param why           what was read
     */
    record Jetson(Optional<String> board, Optional<L4tRelease> release, OptionalLong unifiedMemory,
                  List<Evidence> why) implements Machine {
        public Jetson {
            Objects.requireNonNull(board, "board");
            Objects.requireNonNull(release, "release");
            Objects.requireNonNull(unifiedMemory, "unifiedMemory");
            why = List.copyOf(why);
        }

        @Override
        public OptionalLong gpuMemory() {
            return unifiedMemory;
        }

        @Override
        public String describe() {
            return "Jetson (" + board.orElse("board unknown") + "), L4T " + release.map(L4tRelease::toString).orElse("unknown")
                    + ", " + (unifiedMemory.isPresent() ? Sizes.gib(unifiedMemory.getAsLong()) : "unknown") + " unified memory";
        }
    }

    /**
     * One or more NVIDIA discrete GPUs.
     *
     * @param gpus in the driver's order, never empty
     * @param why  what was read
     */
    record DiscreteGpu(List<Gpu> gpus, List<Evidence> why) implements Machine {
        public DiscreteGpu {
            gpus = List.copyOf(gpus);
            if (gpus.isEmpty()) {
                throw new IllegalArgumentException("a discrete-GPU machine has at least one GPU");
            }
            why = List.copyOf(why);
        }

        /** The sum of the GPUs' memory (llama.cpp splits layers over every GPU it sees); empty when any is unknown. */
        @Override
        public OptionalLong gpuMemory() {
            long sum = 0;
            for (Gpu g : gpus) {
                if (g.totalMemory().isEmpty()) {
                    return OptionalLong.empty();
                }
                sum += g.totalMemory().getAsLong();
            }
            return OptionalLong.of(sum);
        }

        @Override
        public String describe() {
            StringBuilder b = new StringBuilder(gpus.size() == 1 ? "NVIDIA GPU: " : gpus.size() + " NVIDIA GPUs: ");
            for (int i = 0; i < gpus.size(); i++) {
                Gpu g = gpus.get(i);
                b.append(i == 0 ? "" : "; ").append(g.name());
                if (g.totalMemory().isPresent()) {
                    b.append(", ").append(Sizes.gib(g.totalMemory().getAsLong()));
                    g.freeMemory().ifPresent(f -> b.append(" (").append(Sizes.gib(f)).append(" free)"));
                }
                if (!g.driver().isEmpty()) {
                    b.append(", driver ").append(g.driver());
                }
            }
            return b.toString();
        }
    }

    /**
     * Neither a Jetson nor an NVIDIA GPU that could be read.
     *
     * @param memory {@code MemTotal} of {@code /proc/meminfo} in bytes, or empty when it could not be read
     * @param why    what was read
     */
    record CpuOnly(OptionalLong memory, List<Evidence> why) implements Machine {
        public CpuOnly {
            Objects.requireNonNull(memory, "memory");
            why = List.copyOf(why);
        }

        @Override
        public OptionalLong gpuMemory() {
            return OptionalLong.empty();
        }

        @Override
        public String describe() {
            return "CPU only" + (memory.isPresent() ? ", " + Sizes.gib(memory.getAsLong()) + " memory" : "");
        }
    }
}
