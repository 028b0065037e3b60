package org.snowcrash.machine;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which llama-server image suits a machine, how to start the server in it, and how it gets the
 * GPU: the table behind {@code backend.docker.image=auto}.
 *
 * <p><b>Sources.</b> Jetson: the tags of dusty-nv's {@code llama_cpp} images as listed in
 * jetson-containers' {@code packages/llm/llama_cpp/README.md} ({@code dustynv/llama_cpp:r35.4.1},
 * {@code r36.2.0}, {@code r36.4.0}; the older {@code r35.2.1} and {@code r35.3.1} predate the
 * server's rename to {@code llama-server} and are left out), chosen as jetson-containers'
 * {@code autotag} does: the newest image whose L4T release is compatible with the host's by
 * {@code l4t_version_compatible} in {@code jetson_containers/l4t_version.py} (R35 hosts run any
 * R35 image; R36 hosts run R36 images on the same side of 36.4). These images start a shell, not
 * the server, so the command {@code llama-server} is given, and they need the {@code nvidia}
 * runtime ({@code --gpus} is reported not to work on Jetsons). Discrete GPUs: ggml-org's
 * {@code ghcr.io/ggml-org/llama.cpp:server-cuda} (llama.cpp's {@code docs/docker.md}), whose
 * entrypoint is the server. CPU: {@code ghcr.io/ggml-org/llama.cpp:server}, Snowcrash's default
 * image before auto existed (published for amd64 and arm64).
 *
 * <p>Pure functions; thread-safe.
 */
public final class ServerImages {

    /** The CPU image: llama.cpp's own server image. */
    public static final String CPU_IMAGE = "ghcr.io/ggml-org/llama.cpp:server";
    /** The CUDA image for discrete NVIDIA GPUs. */
    public static final String CUDA_IMAGE = "ghcr.io/ggml-org/llama.cpp:server-cuda";
    /** The command dusty-nv's images need (their entrypoint is a shell). */
    static final List<String> JETSON_COMMAND = List.of("llama-server");

    /**
     * One Jetson image.
     *
     * @param builtFor the L4T release the image was built on (its tag)
     * @param image    the image with its tag
     */
    record JetsonImage(L4tRelease builtFor, String image) {
    }

    /** dusty-nv's llama.cpp images that carry {@code llama-server}, by L4T release. */
    static final List<JetsonImage> JETSON_IMAGES = List.of(
            new JetsonImage(new L4tRelease(35, 4, 1), "dustynv/llama_cpp:r35.4.1"),
            new JetsonImage(new L4tRelease(36, 2, 0), "dustynv/llama_cpp:r36.2.0"),
            new JetsonImage(new L4tRelease(36, 4, 0), "dustynv/llama_cpp:r36.4.0"));

    /**
     * The image for a machine.
     *
     * @param image         the image with its tag
     * @param commandPrefix the words that start the server in it, after the image's own entrypoint
     * @param gpuImage      whether the image is built for a GPU (then running it without one is a mistake)
     * @param why           how it was chosen, for people
     */
    public record Choice(String image, List<String> commandPrefix, boolean gpuImage, String why) {
        public Choice {
            Objects.requireNonNull(image, "image");
            commandPrefix = List.copyOf(commandPrefix);
            Objects.requireNonNull(why, "why");
        }
    }

    /**
     * How the GPU reaches the container, and what is wrong when it cannot.
     *
     * @param access  the way chosen
     * @param why     why, for people
     * @param problem what keeps a GPU machine's GPU from the container and how to fix it; empty when nothing does
     */
    public record Access(GpuAccess access, String why, Optional<String> problem) {
        public Access {
            Objects.requireNonNull(access, "access");
            Objects.requireNonNull(why, "why");
            Objects.requireNonNull(problem, "problem");
        }
    }

    private ServerImages() {
    }

    /** The image, command and kind of image for {@code machine}. */
    public static Choice forMachine(Machine machine) {
        if (machine instanceof Machine.Jetson j) {
            return forJetson(j);
        }
        if (machine instanceof Machine.DiscreteGpu g) {
            return new Choice(CUDA_IMAGE, List.of(), true, "llama.cpp's CUDA server image for " + g.describe());
        }
        return new Choice(CPU_IMAGE, List.of(), false, "llama.cpp's CPU server image: no GPU found");
    }

    private static Choice forJetson(Machine.Jetson j) {
        if (j.release().isEmpty()) {
            return new Choice(CPU_IMAGE, List.of(), false, "the Jetson's L4T release is unknown, so no dusty-nv image can be"
                    + " matched to it; llama.cpp's CPU server image instead (set backend.docker.image to a llama_cpp image for"
                    + " this JetPack)");
        }
        L4tRelease host = j.release().get();
        Optional<JetsonImage> best = JETSON_IMAGES.stream().filter(i -> compatible(host, i.builtFor()))
                .max(Comparator.comparing(JetsonImage::builtFor));
        if (best.isEmpty()) {
            return new Choice(CPU_IMAGE, List.of(), false, "no dusty-nv llama_cpp image with llama-server is built for L4T "
                    + host + " (there are images for " + JETSON_IMAGES.stream().map(i -> "r" + i.builtFor()).toList()
                    + "); llama.cpp's CPU server image instead (set backend.docker.image to a llama.cpp image built for"
                    + " this JetPack)");
        }
        return new Choice(best.get().image(), JETSON_COMMAND, true, "dusty-nv's llama_cpp image built for L4T r"
                + best.get().builtFor() + ", the newest compatible with this Jetson's L4T " + host + " (as jetson-containers'"
                + " autotag picks); its entrypoint is a shell, so the command llama-server is given");
    }

    /**
     * Whether a host on L4T {@code host} runs an image built for {@code image}: jetson-containers'
     * {@code l4t_version_compatible}, restricted to the releases this table has images for.
     */
    static boolean compatible(L4tRelease host, L4tRelease image) {
        if (host.major() == 36) {
            return image.major() == 36 && (image.minor() >= 4) == (host.minor() >= 4);
        }
        if (host.major() == 35 || host.major() == 34) {
            return image.major() == host.major();
        }
        return false;
    }

    /**
     * How a container started for {@code machine} on an engine offering {@code engine} gets the
     * GPU when {@code backend.docker.gpu} is {@code auto}: the {@code nvidia} runtime on a Jetson;
     * a device request on a discrete GPU when the engine takes them, else the {@code nvidia}
     * runtime; on a machine without a GPU the {@code nvidia} runtime only if the engine lists it
     * (the rule before detection existed, for engines on other hosts).
     */
    public static Access autoAccess(Machine machine, EngineGpu engine) {
        if (machine instanceof Machine.Jetson) {
            return engine.hasNvidiaRuntime()
                    ? new Access(GpuAccess.NVIDIA_RUNTIME, "a Jetson: its GPU is reached through the nvidia runtime", Optional.empty())
                    : new Access(GpuAccess.NONE, "the engine has no nvidia runtime (" + engine.describe() + "), which a Jetson's GPU needs",
                    Optional.of("install the NVIDIA Container Toolkit (JetPack's nvidia-container package) and run"
                            + " 'sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker', or set"
                            + " backend.docker.gpu=off and a CPU image"));
        }
        if (machine instanceof Machine.DiscreteGpu) {
            if (engine.supportsDeviceRequests()) {
                return new Access(GpuAccess.DEVICE_REQUESTS, "an NVIDIA GPU and an engine that takes device requests ("
                        + engine.describe() + "): --gpus all", Optional.empty());
            }
            if (engine.hasNvidiaRuntime()) {
                return new Access(GpuAccess.NVIDIA_RUNTIME, "an NVIDIA GPU; the engine takes no device requests but has"
                        + " the nvidia runtime", Optional.empty());
            }
            return new Access(GpuAccess.NONE, "the engine neither takes device requests nor has the nvidia runtime ("
                    + engine.describe() + "), one of which an NVIDIA GPU needs", Optional.of("update Docker (19.03 or later) and"
                    + " install the NVIDIA Container Toolkit, or set backend.docker.gpu=off and a CPU image"));
        }
        return engine.hasNvidiaRuntime()
                ? new Access(GpuAccess.NVIDIA_RUNTIME, "no GPU seen here, but the engine lists the nvidia runtime", Optional.empty())
                : new Access(GpuAccess.NONE, "no GPU", Optional.empty());
    }
}
