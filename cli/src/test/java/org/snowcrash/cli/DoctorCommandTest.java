package org.snowcrash.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.backend.docker.RequiresDocker;

/**
 * {@code snowcrash doctor} as a user runs it: on fake machines (a file tree read as {@code /}
 * through the hidden {@code --root}, a fake {@code nvidia-smi} on the path it searches: hardware
 * this build machine lacks) with an engine address where no engine runs, so the output does not
 * depend on this machine's Docker; and once for real on this machine.
 */
class DoctorCommandTest {

    /** No engine listens here: the Docker lines are the same with or without Docker on the build machine. */
    private static final String NO_ENGINE = "backend.docker.host=unix:///nonexistent/docker.sock";

    @TempDir
    Path dir;
    Path root;
    Path bin;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(dir.resolve("root"));
        bin = Files.createDirectories(dir.resolve("bin"));
    }

    private void file(String systemPath, String text) throws Exception {
        Path p = root.resolve(systemPath.substring(1));
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private Cli.Result doctor(String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("doctor", "--root", root.toString(), "-D", "snowcrash.machine.path=" + bin));
        for (String kv : more) {
            args.addAll(List.of("-D", kv));
        }
        return Cli.run(dir, Map.of(), List.of(), Duration.ofMinutes(2), args.toArray(new String[0]));
    }

    private static void has(Cli.Result r, String text) {
        assertTrue(r.out().contains(text), "missing:\n" + text + "\nin:\n" + r.out() + "\nstderr:\n" + r.err());
    }

    @Test
    void anOrinWithAReserveShowsWhereEachFindingCameFromAndWhatAutoPicks() throws Exception {
        file("/etc/nv_tegra_release", "# R36 (release), REVISION: 4.0, GCID: 37537400, BOARD: generic, EABI: aarch64, DATE: Fri Sep 13 04:36:44 UTC 2024\n");
        file("/proc/device-tree/model", "NVIDIA Jetson AGX Orin Developer Kit\0");
        file("/proc/meminfo", "MemTotal:       32036836 kB\n");
        Cli.Result r = doctor(NO_ENGINE, "snowcrash.gpu.reserve=7g");
        has(r, "Machine: Jetson (NVIDIA Jetson AGX Orin Developer Kit), L4T 36.4.0, 30.6 GiB unified memory\n");
        has(r, "  /etc/nv_tegra_release: L4T 36.4.0 (a Jetson)\n");
        has(r, "  /proc/device-tree/model: board \"NVIDIA Jetson AGX Orin Developer Kit\"\n");
        has(r, "  /proc/meminfo: MemTotal 30.6 GiB\n");
        has(r, "  23.6 GiB from the Jetson's unified memory 30.6 GiB minus snowcrash.gpu.reserve 7.0 GiB\n");
        has(r, "[ok]      docker image: dustynv/llama_cpp:r36.4.0 (auto: dusty-nv's llama_cpp image built for L4T r36.4.0,"
                + " the newest compatible with this Jetson's L4T 36.4.0");
        has(r, "[info]    docker command: llama-server (auto, for this image)\n");
        has(r, "[problem] docker engine: no Docker engine: /nonexistent/docker.sock does not exist");
        has(r, "To change:\n  - docker engine: start the engine (sudo systemctl start docker)");
        has(r, "  llamacpp (priority 10): available\n");
        has(r, "Ready: 1 backend(s) available.\n");
        assertEquals(0, r.exitCode(), r.out() + r.err());
    }

    @Test
    void anOrinOnJetPack5GetsItsOwnImage() throws Exception {
        file("/etc/nv_tegra_release", "# R35 (release), REVISION: 3.1, GCID: 32827747, BOARD: t186ref, EABI: aarch64, DATE: Sun Mar 19 15:19:21 UTC 2023\n");
        file("/proc/meminfo", "MemTotal:       32036836 kB\n");
        Cli.Result r = doctor(NO_ENGINE);
        has(r, "Machine: Jetson (board unknown), L4T 35.3.1, 30.6 GiB unified memory\n");
        has(r, "docker image: dustynv/llama_cpp:r35.4.1 (auto: ");
    }

    @Test
    void aDiscreteGpuFromAFakeNvidiaSmiGetsTheCudaImage() throws Exception {
        Path smi = bin.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\necho 'NVIDIA GeForce RTX 4090, 24564, 23016, 550.54.14'\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        file("/proc/meminfo", "MemTotal:       65536000 kB\n");
        Cli.Result r = doctor(NO_ENGINE);
        has(r, "Machine: NVIDIA GPU: NVIDIA GeForce RTX 4090, 24.0 GiB (22.5 GiB free), driver 550.54.14\n");
        has(r, "  " + smi + " --query-gpu=name,memory.total,memory.free,driver_version --format=csv,noheader,nounits: 1 GPU(s): NVIDIA GeForce RTX 4090\n");
        has(r, "  24.0 GiB from the detected GPU memory 24.0 GiB\n");
        has(r, "docker image: ghcr.io/ggml-org/llama.cpp:server-cuda (auto: llama.cpp's CUDA server image for NVIDIA GPU");
        has(r, "[info]    docker gpu: backend.docker.gpu=auto (default); not checked without an engine\n");
    }

    @Test
    void anExplicitCpuImageOnAGpuMachineIsFlaggedWithTheFix() throws Exception {
        Path smi = bin.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\necho 'NVIDIA GeForce RTX 4090, 24564, 23016, 550.54.14'\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        Cli.Result r = doctor(NO_ENGINE, "backend.docker.image=ghcr.io/ggml-org/llama.cpp:server");
        has(r, "[warn]    docker image: ghcr.io/ggml-org/llama.cpp:server (backend.docker.image from ");
        has(r, "is a CPU build on a GPU machine");
        has(r, "  - docker image: remove backend.docker.image (auto picks ghcr.io/ggml-org/llama.cpp:server-cuda) or set it to a GPU build of llama-server\n");
    }

    @Test
    void withNoBackendAvailableItSaysSoAndExitsWithOne() throws Exception {
        file("/proc/meminfo", "garbage\n");
        Cli.Result r = doctor(NO_ENGINE, "backend.llamacpp.enabled=false", "snowcrash.gpu.reserve=much");
        has(r, "Machine: CPU only\n");
        has(r, "  /proc/meminfo: has no \"MemTotal: <n> kB\" line\n");
        has(r, "  llamacpp (priority 10): disabled (backend.llamacpp.enabled=false)\n");
        has(r, "[problem] gpu memory: invalid configuration: snowcrash.gpu.reserve=much");
        has(r, "Not ready: no backend is available.\n");
        assertEquals(1, r.exitCode(), r.out() + r.err());
    }

    @Test
    @RequiresDocker
    void anOrinWhoseRealEngineHasNoNvidiaRuntimeIsToldHowToGetIt() throws Exception {
        file("/etc/nv_tegra_release", "# R36 (release), REVISION: 4.0, GCID: 37537400, BOARD: generic\n");
        file("/proc/meminfo", "MemTotal:       32036836 kB\n");
        Cli.Result r = doctor();
        has(r, "[ok]      docker engine: answers at unix:///var/run/docker.sock\n");
        has(r, "[problem] docker gpu: auto: the engine has no nvidia runtime (runtimes [");
        has(r, "which a Jetson's GPU needs; containers of dustynv/llama_cpp:r36.4.0 cannot get the GPU it is built for\n");
        has(r, "  - docker gpu: install the NVIDIA Container Toolkit (JetPack's nvidia-container package) and run"
                + " 'sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker'");
    }

    @Test
    @RequiresDocker
    void onThisMachineItFindsTheCpuAndTheEngine() throws Exception {
        Cli.Result r = Cli.run(dir, Map.of(), List.of(), Duration.ofMinutes(2), "doctor");
        has(r, "Machine: CPU only, ");
        has(r, "  /etc/nv_tegra_release: not present\n");
        has(r, "[ok]      docker image: ghcr.io/ggml-org/llama.cpp:server (auto: llama.cpp's CPU server image: no GPU found)\n");
        has(r, "[ok]      docker engine: answers at unix:///var/run/docker.sock\n");
        has(r, "[ok]      docker gpu: no GPU (auto: no GPU) [runtimes [");
        has(r, "  docker (priority 20): available\n");
        assertEquals(0, r.exitCode(), r.out() + r.err());
    }
}
