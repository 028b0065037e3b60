package org.snowcrash.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detection against fake roots: each kind of machine, and files and commands that are missing, broken or hang. */
class MachineProbeTest {

    @TempDir
    Path dir;
    FakeMachine fake;

    @BeforeEach
    void setUp() throws Exception {
        fake = new FakeMachine(dir);
    }

    private static boolean says(Machine m, String source, String text) {
        return m.why().stream().anyMatch(e -> e.source().contains(source) && e.finding().contains(text));
    }

    @Test
    void anOrinOnL4t36_4IsAJetsonWithItsBoardReleaseAndUnifiedMemory() throws Exception {
        Machine m = fake.jetson(FakeMachine.R36_4, FakeMachine.ORIN_MEMINFO).detect();
        Machine.Jetson j = assertInstanceOf(Machine.Jetson.class, m);
        assertEquals(Optional.of("NVIDIA Jetson AGX Orin Developer Kit"), j.board(), "the NUL terminator is not part of the name");
        assertEquals(Optional.of(new L4tRelease(36, 4, 0)), j.release());
        assertEquals(OptionalLong.of(32036836L * 1024), j.unifiedMemory());
        assertEquals(j.unifiedMemory(), m.gpuMemory());
        assertTrue(says(m, "/etc/nv_tegra_release", "L4T 36.4.0"), m.why().toString());
        assertTrue(says(m, "/proc/device-tree/model", "NVIDIA Jetson AGX Orin"), m.why().toString());
        assertTrue(says(m, "/proc/meminfo", "MemTotal 30.6 GiB"), m.why().toString());
        assertEquals("Jetson (NVIDIA Jetson AGX Orin Developer Kit), L4T 36.4.0, 30.6 GiB unified memory", m.describe());
    }

    @Test
    void anOrinOnJetPack5IsReadToo() throws Exception {
        Machine.Jetson j = assertInstanceOf(Machine.Jetson.class, fake.jetson(FakeMachine.R35_3_1, FakeMachine.ORIN_MEMINFO).detect());
        assertEquals(Optional.of(new L4tRelease(35, 3, 1)), j.release());
    }

    @Test
    void aGarbledReleaseFileLeavesAJetsonWithAnUnknownRelease() throws Exception {
        Machine m = fake.jetson("\u0000\u0001garbage R3x\n", FakeMachine.ORIN_MEMINFO).detect();
        Machine.Jetson j = assertInstanceOf(Machine.Jetson.class, m);
        assertEquals(Optional.empty(), j.release());
        assertTrue(says(m, "/etc/nv_tegra_release", "not in the \"# R<major> (release)"), m.why().toString());
    }

    @Test
    void aDeviceTreeThatNamesAJetsonIsEnoughWithoutTheReleaseFile() throws Exception {
        Machine m = fake.file("/proc/device-tree/model", FakeMachine.ORIN_MODEL).file("/proc/meminfo", "garbage").detect();
        Machine.Jetson j = assertInstanceOf(Machine.Jetson.class, m);
        assertEquals(Optional.empty(), j.release());
        assertEquals(OptionalLong.empty(), j.unifiedMemory());
        assertTrue(says(m, "/etc/nv_tegra_release", "not present"), m.why().toString());
        assertTrue(says(m, "/proc/meminfo", "has no \"MemTotal"), m.why().toString());
    }

    @Test
    void anotherArmBoardIsNotAJetson() throws Exception {
        Machine m = fake.file("/proc/device-tree/model", "Raspberry Pi 5 Model B Rev 1.0\0").file("/proc/meminfo", FakeMachine.PC_MEMINFO).detect();
        assertInstanceOf(Machine.CpuOnly.class, m);
        assertTrue(says(m, "/proc/device-tree/model", "is not a Jetson"), m.why().toString());
    }

    @Test
    void nvidiaSmiListsEachGpuWithItsMemoryInMib() throws Exception {
        fake.command("nvidia-smi", "[ \"$1\" = '--query-gpu=name,memory.total,memory.free,driver_version' ] || exit 3\n"
                + "[ \"$2\" = '--format=csv,noheader,nounits' ] || exit 4\n"
                + "echo 'NVIDIA GeForce RTX 4090, 24564, 23016, 550.54.14'\n"
                + "echo 'NVIDIA RTX A2000 12GB, 12282, 12000, 550.54.14'");
        Machine m = fake.file("/proc/meminfo", FakeMachine.PC_MEMINFO).detect();
        Machine.DiscreteGpu g = assertInstanceOf(Machine.DiscreteGpu.class, m);
        assertEquals(List.of(
                new Gpu("NVIDIA GeForce RTX 4090", OptionalLong.of(24564L << 20), OptionalLong.of(23016L << 20), "550.54.14"),
                new Gpu("NVIDIA RTX A2000 12GB", OptionalLong.of(12282L << 20), OptionalLong.of(12000L << 20), "550.54.14")), g.gpus());
        assertEquals(OptionalLong.of((24564L + 12282L) << 20), m.gpuMemory(), "llama.cpp splits layers over all GPUs");
        assertTrue(says(m, "nvidia-smi --query-gpu", "2 GPU(s)"), m.why().toString());
    }

    @Test
    void aFailingNvidiaSmiFallsBackToTheDriversProcEntries() throws Exception {
        fake.command("nvidia-smi", "echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\"; exit 9")
                .file("/proc/driver/nvidia/version", "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 01:44:30 UTC 2024\n")
                .file("/proc/driver/nvidia/gpus/0000:01:00.0/information", "Model: \t\t NVIDIA GeForce RTX 3090\nIRQ:   \t\t 140\n"
                        + "GPU UUID: \t GPU-0e1e3c3e\nBus Type: \t PCIe\n")
                .file("/proc/meminfo", FakeMachine.PC_MEMINFO);
        Machine m = fake.detect();
        Machine.DiscreteGpu g = assertInstanceOf(Machine.DiscreteGpu.class, m);
        assertEquals(List.of(new Gpu("NVIDIA GeForce RTX 3090", OptionalLong.empty(), OptionalLong.empty(), "550.54.14")), g.gpus());
        assertEquals(OptionalLong.empty(), m.gpuMemory(), "the driver's entry has no size, and none is guessed");
        assertTrue(says(m, "nvidia-smi", "exited with status 9: NVIDIA-SMI has failed"), m.why().toString());
        assertTrue(says(m, "/proc/driver/nvidia/gpus/0000:01:00.0/information", "NVIDIA GeForce RTX 3090"), m.why().toString());
    }

    @Test
    void garbageFromNvidiaSmiIsRecordedAndNotTakenForAGpu() throws Exception {
        fake.command("nvidia-smi", "echo 'No devices were found'; echo 'a, b, [N/A], 1'").file("/proc/meminfo", FakeMachine.PC_MEMINFO);
        Machine m = fake.detect();
        assertInstanceOf(Machine.CpuOnly.class, m);
        assertTrue(says(m, "nvidia-smi", "line not in the format name, MiB total, MiB free, driver: \"No devices were found\""), m.why().toString());
        assertTrue(says(m, "nvidia-smi", "listed no GPU"), m.why().toString());
    }

    @Test
    void aHangingNvidiaSmiIsStoppedAndIgnored() throws Exception {
        fake.command("nvidia-smi", "exec sleep 600").file("/proc/meminfo", FakeMachine.PC_MEMINFO);
        Machine m = new MachineProbe(fake.root, List.of(fake.bin), Duration.ofMillis(200)).detect();
        assertInstanceOf(Machine.CpuOnly.class, m);
        assertTrue(says(m, "nvidia-smi", "did not answer within 200 ms and was stopped"), m.why().toString());
    }

    @Test
    void withNothingToFindItIsCpuOnlyAndSaysWhereItLooked() throws Exception {
        Machine m = fake.file("/proc/meminfo", FakeMachine.PC_MEMINFO).detect();
        Machine.CpuOnly c = assertInstanceOf(Machine.CpuOnly.class, m);
        assertEquals(OptionalLong.of(16303508L * 1024), c.memory());
        assertTrue(says(m, "/etc/nv_tegra_release", "not present"));
        assertTrue(says(m, "nvidia-smi", "not found on the path"));
        assertTrue(says(m, "/proc/driver/nvidia/gpus", "not present"));
        assertEquals("CPU only, 15.5 GiB memory", m.describe());
    }

    @Test
    void anUnreadableFileIsRecordedNotThrown() throws Exception {
        Files.createDirectories(fake.root.resolve("proc/meminfo")); // a directory where a file should be
        Machine m = fake.detect();
        assertEquals(OptionalLong.empty(), assertInstanceOf(Machine.CpuOnly.class, m).memory());
        assertTrue(says(m, "/proc/meminfo", "cannot be read"), m.why().toString());
    }

    @Test
    void theReleaseLineParsesAsL4tWritesIt() {
        assertEquals(Optional.of(new L4tRelease(36, 4, 3)), L4tRelease.parseFirstLine("# R36 (release), REVISION: 4.3, GCID: 1"));
        assertEquals(Optional.of(new L4tRelease(32, 7, 0)), L4tRelease.parseFirstLine("# R32 (release), REVISION: 7"));
        assertEquals(Optional.empty(), L4tRelease.parseFirstLine("R36 4.0"));
        assertEquals(Optional.empty(), L4tRelease.parseFirstLine(""));
        assertTrue(new L4tRelease(36, 4, 0).compareTo(new L4tRelease(36, 2, 0)) > 0);
    }

    @Test
    void theEngineTakesDeviceRequestsFromApi1_40() {
        assertTrue(new EngineGpu(Set.of(), Optional.of("1.40")).supportsDeviceRequests());
        assertTrue(new EngineGpu(Set.of(), Optional.of("1.47")).supportsDeviceRequests());
        assertTrue(!new EngineGpu(Set.of(), Optional.of("1.39")).supportsDeviceRequests());
        assertTrue(!new EngineGpu(Set.of(), Optional.of("garbage")).supportsDeviceRequests());
        assertTrue(!new EngineGpu(Set.of(), Optional.empty()).supportsDeviceRequests());
    }
}
