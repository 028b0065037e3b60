package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.api.StartFailure;
import org.snowcrash.machine.EngineGpu;
import org.snowcrash.machine.GpuAccess;
import org.snowcrash.machine.Machine;
import org.snowcrash.machine.MachineSettings;

import com.github.dockerjava.api.model.DeviceRequest;
import com.github.dockerjava.api.model.HostConfig;

/**
 * {@code backend.docker.image=auto} and {@code gpu=auto} on fake machines (a file tree read as
 * {@code /} and a fake {@code nvidia-smi}: hardware this build machine does not have), and
 * explicit values winning over them. No engine: what the engine offers is given as {@link EngineGpu}.
 */
class AutoImageTest {

    static final String R36_4 = "# R36 (release), REVISION: 4.0, GCID: 37537400, BOARD: generic, EABI: aarch64, DATE: Fri Sep 13 04:36:44 UTC 2024\n";
    static final String R35_3_1 = "# R35 (release), REVISION: 3.1, GCID: 32827747, BOARD: t186ref, EABI: aarch64, DATE: Sun Mar 19 15:19:21 UTC 2023\n";
    private static final EngineGpu WITH_RUNTIME = new EngineGpu(Set.of("runc", "nvidia"), Optional.of("1.47"));
    private static final EngineGpu PLAIN = new EngineGpu(Set.of("runc"), Optional.of("1.47"));
    private static final ModelSpec SPEC = ModelSpec.builder("demo", Path.of("/srv/models/demo.gguf")).build();

    @TempDir
    Path dir;
    Path root;
    Path bin;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(dir.resolve("root"));
        bin = Files.createDirectories(dir.resolve("bin"));
    }

    private void file(String systemPath, String text) throws IOException {
        Path p = root.resolve(systemPath.substring(1));
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    void jetson(String release) throws IOException {
        file("/etc/nv_tegra_release", release);
        file("/proc/device-tree/model", "NVIDIA Jetson AGX Orin Developer Kit\0");
        file("/proc/meminfo", "MemTotal:       32036836 kB\n");
    }

    void discreteGpu() throws IOException {
        Path smi = bin.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\necho 'NVIDIA GeForce RTX 4090, 24564, 23016, 550.54.14'\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        file("/proc/meminfo", "MemTotal:       65536000 kB\n");
    }

    Settings settings(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put(MachineSettings.ROOT_KEY, root.toString());
        m.put(MachineSettings.PATH_KEY, bin.toString());
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return Settings.of(m, "test");
    }

    DockerSettings docker(String... kv) {
        return DockerSettings.from(settings(kv), Map.of());
    }

    @Test
    void onAnOrinAutoPicksDustyNvsImageForItsReleaseWithTheServerCommand() throws Exception {
        jetson(R36_4);
        DockerSettings s = docker();
        assertEquals("dustynv/llama_cpp:r36.4.0", s.image());
        assertEquals(List.of("llama-server"), s.commandPrefix());
        assertEquals(GpuMode.AUTO, s.gpu());
        assertEquals(GpuAccess.NVIDIA_RUNTIME, GpuDecision.decide(s, WITH_RUNTIME, "demo"));
    }

    @Test
    void onAnOrinOnJetPack5TheR35ImageIsPicked() throws Exception {
        jetson(R35_3_1);
        assertEquals("dustynv/llama_cpp:r35.4.1", docker().image());
    }

    @Test
    void anOrinWhoseEngineHasNoNvidiaRuntimeIsRefusedWithTheFix() throws Exception {
        jetson(R36_4);
        BackendStartException e = assertThrows(BackendStartException.class, () -> GpuDecision.decide(docker(), PLAIN, "demo"));
        StartFailure.RuntimeUnavailable f = assertInstanceOf(StartFailure.RuntimeUnavailable.class, e.failure());
        assertTrue(f.describe().contains("was chosen for this machine's GPU, but the engine has no nvidia runtime (runtimes [runc], API 1.47), which a Jetson's GPU needs"), f.describe());
        assertTrue(f.describe().contains("nvidia-ctk runtime configure --runtime=docker"), f.describe());
        // An image of the user's own is theirs to run without a GPU: no refusal.
        assertEquals(GpuAccess.NONE, GpuDecision.decide(docker("backend.docker.image", "my/llama:cpu"), PLAIN, "demo"));
    }

    @Test
    void explicitImagePrefixAndGpuWinOverAuto() throws Exception {
        jetson(R36_4);
        DockerSettings image = docker("backend.docker.image", "my/llama");
        assertEquals("my/llama:latest", image.image());
        assertEquals(List.of(), image.commandPrefix(), "the table's command belongs to the table's image");
        DockerSettings prefix = docker("backend.docker.command-prefix", "/opt/llama.cpp/bin/llama-server");
        assertEquals("dustynv/llama_cpp:r36.4.0", prefix.image());
        assertEquals(List.of("/opt/llama.cpp/bin/llama-server"), prefix.commandPrefix());
        assertEquals(GpuAccess.NONE, GpuDecision.decide(docker("backend.docker.gpu", "off"), WITH_RUNTIME, "demo"));
        assertEquals("dustynv/llama_cpp:r36.4.0", docker("backend.docker.image", "AUTO").image(), "auto may be written out");
    }

    @Test
    void onADiscreteGpuAutoPicksTheCudaImageAndRequestsTheDevices() throws Exception {
        discreteGpu();
        DockerSettings s = docker();
        assertEquals("ghcr.io/ggml-org/llama.cpp:server-cuda", s.image());
        assertEquals(List.of(), s.commandPrefix());
        assertEquals(GpuAccess.DEVICE_REQUESTS, GpuDecision.decide(s, PLAIN, "demo"));
        assertEquals(GpuAccess.NVIDIA_RUNTIME, GpuDecision.decide(s, new EngineGpu(Set.of("nvidia"), Optional.of("1.39")), "demo"));
        assertEquals(GpuAccess.NVIDIA_RUNTIME, GpuDecision.decide(docker("backend.docker.gpu", "on"), WITH_RUNTIME, "demo"));
    }

    @Test
    void explicitGpuModesThatTheEngineCannotServeFailClearly() throws Exception {
        discreteGpu();
        BackendStartException on = assertThrows(BackendStartException.class,
                () -> GpuDecision.decide(docker("backend.docker.gpu", "on"), PLAIN, "demo"));
        assertTrue(on.failure().describe().contains("backend.docker.gpu=on but the Docker engine has no nvidia runtime (runtimes: [runc])"),
                on.failure().describe());
        BackendStartException devices = assertThrows(BackendStartException.class,
                () -> GpuDecision.decide(docker("backend.docker.gpu", "devices"), new EngineGpu(Set.of(), Optional.of("1.39")), "demo"));
        assertTrue(devices.failure().describe().contains("backend.docker.gpu=devices but the Docker engine takes no device requests"),
                devices.failure().describe());
    }

    @Test
    void withoutAGpuAutoKeepsTheCpuImageAndTheRuntimeOnlyWhereListed() throws Exception {
        file("/proc/meminfo", "MemTotal:       16303508 kB\n");
        DockerSettings s = docker();
        assertEquals(DockerSettings.DEFAULT_IMAGE, s.image());
        assertEquals("ghcr.io/ggml-org/llama.cpp:server", s.image());
        assertEquals(GpuAccess.NONE, GpuDecision.decide(s, PLAIN, "demo"));
        assertEquals(GpuAccess.NVIDIA_RUNTIME, GpuDecision.decide(s, WITH_RUNTIME, "demo"));
    }

    @Test
    void anEngineOnAnotherHostIsNotJudgedByThisMachinesHardware() throws Exception {
        jetson(R36_4);
        DockerSettings s = docker("backend.docker.host", "tcp://10.0.0.5:2376", "backend.docker.bind-address", "0.0.0.0");
        assertEquals(DockerSettings.DEFAULT_IMAGE, s.image());
        assertInstanceOf(Machine.CpuOnly.class, s.hostChoice().machine());
        assertTrue(s.hostChoice().machine().why().get(0).finding().contains("runs on another host"));
        assertEquals("dustynv/llama_cpp:r36.4.0",
                docker("backend.docker.host", "tcp://127.0.0.1:2375").image(), "a loopback TCP engine is this machine's");
    }

    @Test
    void theHostConfigCarriesTheRuntimeOrTheDeviceRequestAsDockerRunWould() {
        HostConfig runtime = HostConfig.newHostConfig();
        GpuHost.apply(GpuAccess.NVIDIA_RUNTIME, runtime);
        assertEquals("nvidia", runtime.getRuntime());
        assertNull(runtime.getDeviceRequests());
        HostConfig devices = HostConfig.newHostConfig();
        GpuHost.apply(GpuAccess.DEVICE_REQUESTS, devices);
        DeviceRequest r = devices.getDeviceRequests().get(0);
        assertEquals(-1, r.getCount());
        assertEquals(List.of(List.of("gpu")), r.getCapabilities());
        assertNull(devices.getRuntime());
        HostConfig none = HostConfig.newHostConfig();
        GpuHost.apply(GpuAccess.NONE, none);
        assertNull(none.getRuntime());
        assertNull(none.getDeviceRequests());
    }

    @Test
    void thePlanOfAJetsonContainerStartsTheServerWithTheRuntime() throws Exception {
        jetson(R36_4);
        DockerSettings s = docker();
        ContainerOptions options = ContainerOptions.from(Settings.of(Map.of(), "test"), "demo");
        ServerContainer.Plan p = ServerContainer.plan(s, options, SPEC, s.commandPrefix(), "1000:1000", GpuAccess.NVIDIA_RUNTIME);
        assertEquals("dustynv/llama_cpp:r36.4.0", p.image());
        assertEquals("llama-server", p.cmd().get(0));
        assertEquals("nvidia", p.hostConfig().getRuntime());
    }

    @Test
    void theDoctorSaysWhatToDoForEachWayTheEngineIsOutOfReach() {
        assertTrue(DockerDoctor.engineFix("permission denied on /var/run/docker.sock (add the user to the docker group)")
                .startsWith("add this account to the docker group (sudo usermod -aG docker $USER)"));
        assertTrue(DockerDoctor.engineFix("no Docker engine: /var/run/docker.sock does not exist (is dockerd running?)")
                .startsWith("start the engine (sudo systemctl start docker)"));
        assertTrue(DockerDoctor.engineFix("the Docker engine at unix:///x did not answer a ping within 2000 ms")
                .startsWith("the engine is hung or slow"));
        assertTrue(DockerDoctor.looksLikeCpuImage("ghcr.io/ggml-org/llama.cpp:server"));
        assertTrue(DockerDoctor.looksLikeCpuImage("ghcr.io/ggml-org/llama.cpp:server-b4579"));
        assertTrue(!DockerDoctor.looksLikeCpuImage("ghcr.io/ggml-org/llama.cpp:server-cuda"));
        assertTrue(!DockerDoctor.looksLikeCpuImage("dustynv/llama_cpp:r36.4.0"));
    }

    @Test
    void theDoctorCheckIsFoundByServiceLoader() {
        assertTrue(java.util.ServiceLoader.load(org.snowcrash.machine.DoctorCheck.class).stream()
                .anyMatch(p -> p.type() == DockerDoctor.class));
    }
}
