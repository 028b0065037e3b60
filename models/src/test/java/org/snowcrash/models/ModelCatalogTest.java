package org.snowcrash.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;

class ModelCatalogTest {

    @TempDir
    Path dir;

    private Settings settings(Map<String, String> extra) {
        Map<String, String> m = new java.util.HashMap<>(extra);
        m.put(ModelCatalog.MODELS_DIR_KEY, dir.toString());
        return Settings.of(m, "file test");
    }

    @Test
    void builtInsMatchTheOriginalProject() throws Exception {
        ModelCatalog c = ModelCatalog.from(settings(Map.of()));
        assertEquals(List.of("llama", "phi-3", "gemma", "demo"), c.entries().stream().map(CatalogEntry::id).toList());
        CatalogEntry phi = c.find("phi-3").orElseThrow();
        assertEquals("phi3-mini/Phi-3-mini-4k-instruct-q4.gguf", phi.file());
        assertEquals(8081, phi.port());
        assertEquals("snowcrash-phi3-server", phi.containerName());
        assertEquals(8, phi.gpuLayers());
        assertEquals(512, phi.contextSize());
        assertEquals(128, phi.batchSize());
        assertEquals(2L << 30, phi.memoryBytes());
        assertEquals(2L << 30, phi.shmBytes());
        ModelSpec llama = c.spec("llama");
        assertEquals(dir.resolve("llama3.2/Llama-3.2-3B-Instruct-Q4_K_M.gguf"), llama.file());
        assertEquals(8080, llama.port());
        assertEquals("snowcrash-gemma-server", c.spec("gemma").containerName());
    }

    @Test
    void demoIsWrittenOnFirstUse() throws Exception {
        ModelCatalog c = ModelCatalog.from(settings(Map.of()));
        ModelSpec demo = c.spec("demo");
        assertTrue(Files.size(demo.file()) > 100_000);
        assertTrue(ModelValidator.problem(demo.file()).isEmpty());
    }

    @Test
    void overridesAndUserModels() throws Exception {
        ModelCatalog c = ModelCatalog.from(settings(Map.of("model.llama.port", "9000", "model.llama.ctx-size", "2048",
                "model.llama.args", "--flash-attn on", "model.mine.file", "mine/x.gguf", "model.mine.memory", "512m")));
        ModelSpec llama = c.spec("llama");
        assertEquals(9000, llama.port());
        assertEquals(2048, llama.contextSize());
        assertEquals(List.of("--flash-attn", "on"), llama.extraArgs());
        ModelSpec mine = c.spec("mine");
        assertEquals(dir.resolve("mine/x.gguf"), mine.file());
        assertEquals(512L << 20, mine.memoryBytes());
        assertEquals("snowcrash-mine-server", mine.containerName());
    }

    @Test
    void everyBadValueIsReportedAtOnce() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> ModelCatalog.from(settings(Map.of(
                "model.llama.port", "eighty", "model.gemma.ctx-size", "-5", "model.demo.colour", "red",
                "model.evil.file", "../../etc/passwd", "model.abs.file", "/etc/passwd", "model.nofile.port", "1"))));
        assertEquals(6, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("model.llama.port=eighty (from file test): must be a whole number"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown model setting 'colour'"), e.getMessage());
        assertTrue(e.getMessage().contains("model.evil.file=../../etc/passwd"), e.getMessage());
        assertTrue(e.getMessage().contains("model.abs.file=/etc/passwd"), e.getMessage());
        assertTrue(e.getMessage().contains("model 'nofile' is not in the catalog"), e.getMessage());
    }

    @Test
    void unknownModelListsTheKnownOnes() {
        ModelCatalog c = ModelCatalog.from(settings(Map.of()));
        UnknownModelException e = assertThrows(UnknownModelException.class, () -> c.spec("gpt"));
        assertTrue(e.getMessage().contains("known models: llama, phi-3, gemma, demo"), e.getMessage());
    }

    @Test
    void symlinkOutOfTheModelsDirectoryIsRejected() throws Exception {
        Path outside = Files.createTempFile("outside", ".gguf");
        try {
            Files.createDirectories(dir.resolve("llama3.2"));
            Files.createSymbolicLink(dir.resolve("llama3.2/Llama-3.2-3B-Instruct-Q4_K_M.gguf"), outside);
            ModelCatalog c = ModelCatalog.from(settings(Map.of()));
            UnknownModelException e = assertThrows(UnknownModelException.class, () -> c.spec("llama"));
            assertTrue(e.getMessage().contains("outside the models directory"), e.getMessage());
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void validatorNamesTheProblem() throws Exception {
        assertTrue(ModelValidator.problem(dir.resolve("none.gguf")).orElseThrow().describe().contains("does not exist"));
        Path junk = Files.writeString(dir.resolve("junk.gguf"), "GGUF but not really");
        assertFalse(ModelValidator.problem(junk).isEmpty());
    }
}
