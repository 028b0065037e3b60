package org.snowcrash.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The auto table: image, command and GPU access for each kind of machine and engine. */
class ServerImagesTest {

    private static final EngineGpu NVIDIA_RUNTIME_OLD_API = new EngineGpu(Set.of("runc", "nvidia"), Optional.of("1.39"));
    private static final EngineGpu NVIDIA_RUNTIME = new EngineGpu(Set.of("runc", "nvidia"), Optional.of("1.47"));
    private static final EngineGpu PLAIN = new EngineGpu(Set.of("runc"), Optional.of("1.47"));
    private static final EngineGpu PLAIN_OLD_API = new EngineGpu(Set.of("runc"), Optional.of("1.39"));

    private static Machine.Jetson jetson(int major, int minor, int patch) {
        return new Machine.Jetson(Optional.of("NVIDIA Jetson AGX Orin"), Optional.of(new L4tRelease(major, minor, patch)),
                OptionalLong.of(32L << 30), List.of());
    }

    private static final Machine.DiscreteGpu GPU = new Machine.DiscreteGpu(List.of(
            new Gpu("NVIDIA GeForce RTX 4090", OptionalLong.of(24564L << 20), OptionalLong.of(1L << 30), "550.54.14")), List.of());
    private static final Machine.CpuOnly CPU = new Machine.CpuOnly(OptionalLong.of(16L << 30), List.of());

    @Test
    void aJetsonGetsTheNewestCompatibleDustyNvImageWithTheServerCommand() {
        ServerImages.Choice c = ServerImages.forMachine(jetson(36, 4, 0));
        assertEquals("dustynv/llama_cpp:r36.4.0", c.image());
        assertEquals(List.of("llama-server"), c.commandPrefix());
        assertTrue(c.gpuImage());
        assertEquals("dustynv/llama_cpp:r36.4.0", ServerImages.forMachine(jetson(36, 4, 3)).image());
        assertEquals("dustynv/llama_cpp:r36.2.0", ServerImages.forMachine(jetson(36, 3, 0)).image(),
                "36.3 hosts run images from before 36.4 only (autotag's rule)");
        assertEquals("dustynv/llama_cpp:r35.4.1", ServerImages.forMachine(jetson(35, 3, 1)).image(),
                "any R35 host runs the newest R35 image");
        assertEquals("dustynv/llama_cpp:r35.4.1", ServerImages.forMachine(jetson(35, 6, 0)).image());
    }

    @Test
    void aJetsonWithoutAnImageForItsReleaseGetsTheCpuImageAndSaysWhy() {
        ServerImages.Choice c = ServerImages.forMachine(jetson(32, 7, 1));
        assertEquals(ServerImages.CPU_IMAGE, c.image());
        assertFalse(c.gpuImage());
        assertTrue(c.why().contains("no dusty-nv llama_cpp image with llama-server is built for L4T 32.7.1"), c.why());
        ServerImages.Choice unknown = ServerImages.forMachine(new Machine.Jetson(Optional.empty(), Optional.empty(),
                OptionalLong.empty(), List.of()));
        assertEquals(ServerImages.CPU_IMAGE, unknown.image());
        assertTrue(unknown.why().contains("L4T release is unknown"), unknown.why());
    }

    @Test
    void aDiscreteGpuGetsTheCudaImageAndCpuTheCpuImage() {
        assertEquals(new ServerImages.Choice(ServerImages.CUDA_IMAGE, List.of(), true,
                "llama.cpp's CUDA server image for NVIDIA GPU: NVIDIA GeForce RTX 4090, 24.0 GiB (1.0 GiB free), driver 550.54.14"),
                ServerImages.forMachine(GPU));
        ServerImages.Choice cpu = ServerImages.forMachine(CPU);
        assertEquals("ghcr.io/ggml-org/llama.cpp:server", cpu.image());
        assertEquals(List.of(), cpu.commandPrefix());
        assertFalse(cpu.gpuImage());
    }

    @Test
    void aJetsonUsesTheNvidiaRuntimeAndSaysHowToGetIt() {
        assertEquals(GpuAccess.NVIDIA_RUNTIME, ServerImages.autoAccess(jetson(36, 4, 0), NVIDIA_RUNTIME).access(),
                "never device requests on a Jetson, even where the API takes them");
        ServerImages.Access none = ServerImages.autoAccess(jetson(36, 4, 0), PLAIN);
        assertEquals(GpuAccess.NONE, none.access());
        assertTrue(none.problem().orElseThrow().contains("nvidia-ctk runtime configure"), none.problem().toString());
    }

    @Test
    void aDiscreteGpuUsesDeviceRequestsWhereTheEngineTakesThemElseTheRuntime() {
        assertEquals(GpuAccess.DEVICE_REQUESTS, ServerImages.autoAccess(GPU, NVIDIA_RUNTIME).access());
        assertEquals(GpuAccess.DEVICE_REQUESTS, ServerImages.autoAccess(GPU, PLAIN).access());
        assertEquals(GpuAccess.NVIDIA_RUNTIME, ServerImages.autoAccess(GPU, NVIDIA_RUNTIME_OLD_API).access());
        ServerImages.Access none = ServerImages.autoAccess(GPU, PLAIN_OLD_API);
        assertEquals(GpuAccess.NONE, none.access());
        assertTrue(none.problem().isPresent());
    }

    @Test
    void withoutAGpuTheRuntimeIsUsedOnlyWhenTheEngineListsIt() {
        assertEquals(GpuAccess.NONE, ServerImages.autoAccess(CPU, PLAIN).access());
        assertEquals(Optional.empty(), ServerImages.autoAccess(CPU, PLAIN).problem());
        assertEquals(GpuAccess.NVIDIA_RUNTIME, ServerImages.autoAccess(CPU, NVIDIA_RUNTIME).access());
    }
}
