package org.snowcrash.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.Settings;
import org.snowcrash.api.SettingsReader;

/** The GPU memory models plan for: explicit, else detected minus the reserve, else none. */
class MachineSettingsTest {

    @TempDir
    Path dir;
    FakeMachine fake;

    @BeforeEach
    void setUp() throws Exception {
        fake = new FakeMachine(dir);
    }

    private static MachineSettings.GpuMemory memory(Settings s) {
        SettingsReader r = s.reader();
        MachineSettings.GpuMemory m = MachineSettings.gpuMemory(s, r, Map.of());
        r.throwIfProblems();
        return m;
    }

    @Test
    void onAJetsonTheUnifiedMemoryMinusTheReserveIsPlannedFor() throws Exception {
        fake.jetson(FakeMachine.R36_4, FakeMachine.ORIN_MEMINFO);
        MachineSettings.GpuMemory m = memory(fake.settings(MachineSettings.GPU_RESERVE_KEY, "7g"));
        assertEquals(OptionalLong.of(32036836L * 1024 - (7L << 30)), m.bytes());
        assertEquals("the Jetson's unified memory 30.6 GiB minus snowcrash.gpu.reserve 7.0 GiB", m.why());
        assertEquals(OptionalLong.of(32036836L * 1024), memory(fake.settings()).bytes(), "the reserve defaults to 0");
    }

    @Test
    void anExplicitGpuMemoryWinsAndTheReserveIsNotTakenFromIt() throws Exception {
        fake.jetson(FakeMachine.R36_4, FakeMachine.ORIN_MEMINFO);
        MachineSettings.GpuMemory m = memory(fake.settings(MachineSettings.GPU_MEMORY_KEY, "8g", MachineSettings.GPU_RESERVE_KEY, "7g"));
        assertEquals(OptionalLong.of(8L << 30), m.bytes());
        assertEquals("snowcrash.gpu.memory=8g (test)", m.why());
    }

    @Test
    void aDiscreteGpuPlansForItsMemoryAndCpuOnlyForNone() throws Exception {
        fake.command("nvidia-smi", "echo 'NVIDIA GeForce RTX 4090, 24564, 23016, 550.54.14'");
        assertEquals(OptionalLong.of((24564L << 20) - (2L << 30)), memory(fake.settings(MachineSettings.GPU_RESERVE_KEY, "2g")).bytes());
        FakeMachine cpu = new FakeMachine(dir.resolve("cpu"));
        cpu.file("/proc/meminfo", FakeMachine.PC_MEMINFO);
        MachineSettings.GpuMemory none = memory(cpu.settings());
        assertEquals(OptionalLong.empty(), none.bytes());
        assertEquals("snowcrash.gpu.memory is not set and no GPU was detected; running on the CPU", none.why());
    }

    @Test
    void aReserveAsLargeAsTheMemoryLeavesNoGpu() throws Exception {
        fake.jetson(FakeMachine.R36_4, FakeMachine.ORIN_MEMINFO);
        MachineSettings.GpuMemory m = memory(fake.settings(MachineSettings.GPU_RESERVE_KEY, "64g"));
        assertEquals(OptionalLong.empty(), m.bytes());
        assertTrue(m.why().endsWith("leaves nothing for models; running on the CPU"), m.why());
    }

    @Test
    void aBadReserveNamesItsKey() throws Exception {
        fake.jetson(FakeMachine.R36_4, FakeMachine.ORIN_MEMINFO);
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> memory(fake.settings(MachineSettings.GPU_RESERVE_KEY, "lots")));
        assertTrue(e.getMessage().contains("snowcrash.gpu.reserve=lots (from test): must be a size such as 7g or 512m, or 0"), e.getMessage());
    }

    @Test
    void theRootAndPathKeysPointDetectionAtAFakeMachine() throws Exception {
        fake.jetson(FakeMachine.R35_3_1, FakeMachine.ORIN_MEMINFO);
        assertInstanceOf(Machine.Jetson.class, MachineSettings.machine(fake.settings(), Map.of()));
        assertEquals(Path.of("/"), MachineSettings.root(Settings.of(Map.of())));
    }
}
