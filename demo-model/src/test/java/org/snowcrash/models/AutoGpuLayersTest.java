package org.snowcrash.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.Settings;
import org.snowcrash.models.gguf.GgufReader;

/** {@code model.<id>.gpu-layers=auto} with and without {@code snowcrash.gpu.memory}. */
class AutoGpuLayersTest {

    @TempDir
    Path dir;

    private ModelCatalog catalog(Map<String, String> extra) {
        Map<String, String> m = new HashMap<>();
        // Detection reads a fake machine: an empty tree (CPU only) unless a test writes one.
        m.put("snowcrash.machine.root", dir.resolve("root").toString());
        m.put("snowcrash.machine.path", "");
        m.putAll(extra);
        m.put(ModelCatalog.MODELS_DIR_KEY, dir.toString());
        return ModelCatalog.from(Settings.of(m, "file test"));
    }

    @Test
    void autoIsAcceptedAndANumberStillWorks() throws Exception {
        ModelCatalog c = catalog(Map.of("model.demo.gpu-layers", "auto", "model.llama.gpu-layers", "12"));
        assertEquals(AutoGpuLayers.AUTO, c.find("demo").orElseThrow().gpuLayers());
        assertEquals(12, c.spec("llama").gpuLayers());
    }

    @Test
    void withoutGpuMemoryAutoMeansNoLayers() throws Exception {
        ModelCatalog c = catalog(Map.of("model.demo.gpu-layers", "AUTO"));
        assertTrue(c.gpuMemory().isEmpty());
        assertEquals(0, c.spec("demo").gpuLayers());
        AutoGpuLayers.Resolution r = AutoGpuLayers.resolve(c.find("demo").orElseThrow(), c.fileOf(c.find("demo").orElseThrow()),
                OptionalLong.empty());
        assertEquals("snowcrash.gpu.memory is not set, so no GPU is known; running on the CPU", r.explanation());
        assertEquals("snowcrash.gpu.memory is not set and no GPU was detected; running on the CPU", c.gpuMemorySource());
    }

    @Test
    void onADetectedJetsonAutoPlansForItsUnifiedMemoryMinusTheReserve() throws Exception {
        Path root = dir.resolve("root");
        java.nio.file.Files.createDirectories(root.resolve("etc"));
        java.nio.file.Files.createDirectories(root.resolve("proc/device-tree"));
        java.nio.file.Files.writeString(root.resolve("etc/nv_tegra_release"), "# R36 (release), REVISION: 4.0, GCID: 1, BOARD: generic\n");
        java.nio.file.Files.writeString(root.resolve("proc/device-tree/model"), "NVIDIA Jetson Orin Nano Developer Kit\0");
        java.nio.file.Files.writeString(root.resolve("proc/meminfo"), "MemTotal:        7800000 kB\n");
        // 7.4 GiB of unified memory minus a 7 GiB reserve: about 440 MiB, less than the GPU runtime's own reserve.
        ModelCatalog tight = catalog(Map.of("model.demo.gpu-layers", "auto", "snowcrash.gpu.reserve", "7g"));
        assertEquals(OptionalLong.of(7_800_000L * 1024 - (7L << 30)), tight.gpuMemory());
        assertEquals("the Jetson's unified memory 7.4 GiB minus snowcrash.gpu.reserve 7.0 GiB", tight.gpuMemorySource());
        assertEquals(0, tight.spec("demo").gpuLayers());
        ModelCatalog roomy = catalog(Map.of("model.demo.gpu-layers", "auto", "snowcrash.gpu.reserve", "1g"));
        long blocks = GgufReader.read(roomy.fileOf(roomy.find("demo").orElseThrow())).archInteger("block_count").orElseThrow();
        assertEquals(blocks + 1, roomy.spec("demo").gpuLayers(), "the demo model fits in 6.4 GiB whole");
        AutoGpuLayers.Resolution r = AutoGpuLayers.resolve(roomy.find("demo").orElseThrow(),
                roomy.fileOf(roomy.find("demo").orElseThrow()), new org.snowcrash.machine.MachineSettings.GpuMemory(
                        roomy.gpuMemory(), roomy.gpuMemorySource()));
        assertTrue(r.explanation().contains("of the Jetson's unified memory 7.4 GiB minus snowcrash.gpu.reserve 1.0 GiB"),
                r.explanation());
    }

    @Test
    void withGpuMemoryAutoIsThePlannersCount() throws Exception {
        ModelCatalog all = catalog(Map.of("model.demo.gpu-layers", "auto", "snowcrash.gpu.memory", "8g"));
        assertEquals(8L << 30, all.gpuMemory().getAsLong());
        // Every block and the output layer, for the demo model of whatever shape it ships in.
        int layers = all.spec("demo").gpuLayers(); // writes the demo model on first use
        long blocks = GgufReader.read(all.fileOf(all.find("demo").orElseThrow())).archInteger("block_count").orElseThrow();
        assertEquals(blocks + 1, layers, "every layer and the output layer");

        CatalogEntry demo = all.find("demo").orElseThrow();
        GpuLayerPlanner.Model m = MemoryEstimator.layers(GgufReader.read(all.fileOf(demo)),
                MemoryEstimator.Settings.of(demo.contextSize(), demo.batchSize()));
        long oneLayer = GpuLayerPlanner.bytesOnGpu(m, 1);
        ModelCatalog some = catalog(Map.of("model.demo.gpu-layers", "auto", "snowcrash.gpu.memory", String.valueOf(oneLayer)));
        assertEquals(1, some.spec("demo").gpuLayers());
        ModelCatalog none = catalog(Map.of("model.demo.gpu-layers", "auto", "snowcrash.gpu.memory", "256m"));
        assertEquals(0, none.spec("demo").gpuLayers(), "256 MiB is less than the GPU runtime's reserve");
    }

    @Test
    void aMissingFileResolvesToNoLayersAndLeavesTheErrorToValidation() throws Exception {
        ModelCatalog c = catalog(Map.of("model.mine.file", "mine/x.gguf", "model.mine.gpu-layers", "auto", "snowcrash.gpu.memory", "8g"));
        assertEquals(0, c.spec("mine").gpuLayers());
        assertTrue(ModelValidator.problem(c.spec("mine").file()).orElseThrow().toString().contains("does not exist"));
    }

    @Test
    void badValuesAreReportedWithKeyAndSource() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> catalog(Map.of(
                "model.demo.gpu-layers", "most", "model.llama.gpu-layers", "-1", "snowcrash.gpu.memory", "lots")));
        assertEquals(3, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("model.demo.gpu-layers=most (from file test): must be a whole number from 0 to 10000, or auto"),
                e.getMessage());
        assertTrue(e.getMessage().contains("snowcrash.gpu.memory=lots (from file test): must be a positive size"), e.getMessage());
    }
}
