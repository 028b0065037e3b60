package org.snowcrash.models;

import org.snowcrash.demo.DemoModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
        assertEquals(8, phi.gpuLayers());
        assertEquals(512, phi.contextSize());
        assertEquals(128, phi.batchSize());
        ModelSpec llama = c.spec("llama");
        assertEquals(dir.resolve("llama3.2/Llama-3.2-3B-Instruct-Q4_K_M.gguf"), llama.file());
        assertEquals(java.time.Duration.ofMinutes(5), llama.startupTimeout());
    }

    @Test
    void aModelWhoseFileIsAbsentIsMissingButTheDemoNeverIs() throws Exception {
        ModelCatalog c = ModelCatalog.from(settings(Map.of()));
        assertTrue(c.fileMissing(c.entry("llama")));
        CatalogEntry demo = c.entry("demo");
        assertTrue(!c.fileMissing(demo), "the demo is written on first use");
        assertEquals(java.util.Optional.of(DemoModel.SCENE), ModelCatalog.suggestedSystemPrompt(demo));
        assertEquals(java.util.Optional.empty(), ModelCatalog.suggestedSystemPrompt(c.entry("llama")));
        Files.createDirectories(c.fileOf(c.entry("llama")).getParent());
        Files.write(c.fileOf(c.entry("llama")), new byte[] {1});
        assertTrue(!c.fileMissing(c.entry("llama")), "present, even if invalid: starting it says what is wrong");
    }

    @Test
    void demoIsWrittenOnFirstUse() throws Exception {
        ModelCatalog c = ModelCatalog.from(settings(Map.of()));
        ModelSpec demo = c.spec("demo");
        assertTrue(Files.size(demo.file()) > 100_000);
        assertTrue(ModelValidator.problem(demo.file()).isEmpty());
        assertTrue(DemoModel.isCurrent(demo.file()));
    }

    @Test
    void aDemoCopyFromAnEarlierVersionIsReplaced() throws Exception {
        ModelCatalog c = ModelCatalog.from(settings(Map.of()));
        Path file = c.spec("demo").file();
        // An earlier version's copy (the model has been retrained since): same name, other bytes.
        byte[] old = Files.readAllBytes(file);
        old[old.length - 1] ^= 1;
        Files.write(file, old);
        assertFalse(DemoModel.isCurrent(file));
        c.spec("demo");
        assertTrue(DemoModel.isCurrent(file), "the stale copy was replaced by this version's model");
    }

    @Test
    void overridesAndUserModels() throws Exception {
        // A backend's own keys are accepted when it declares them (it reads and checks their values itself).
        ModelCatalog c = ModelCatalog.from(settings(Map.of("model.llama.port", "9000", "model.llama.ctx-size", "2048",
                "model.llama.args", "--flash-attn on", "model.mine.file", "mine/x.gguf", "model.mine.memory", "512m",
                "model.mine.threads", "3")), Set.of("port", "container", "memory", "shm-size", "args"));
        ModelSpec llama = c.spec("llama");
        assertEquals(2048, llama.contextSize());
        ModelSpec mine = c.spec("mine");
        assertEquals(dir.resolve("mine/x.gguf"), mine.file());
        assertEquals(3, mine.threads());
    }

    @Test
    void aBackendsPerModelKeyIsKnownOnlyWhenABackendDeclaresIt() throws Exception {
        // model.<id>.remote-name is the remote backend's to read; the catalog must only let it through.
        Map<String, String> m = Map.of("model.llama.remote-name", "meta-llama/Llama-3.2-3B-Instruct");
        ModelCatalog c = ModelCatalog.from(settings(m), Set.of("remote-name"));
        assertEquals("llama", c.spec("llama").id());
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> ModelCatalog.from(settings(m)));
        assertTrue(e.getMessage().contains("unknown model setting 'remote-name'; no backend on the classpath reads it"),
                e.getMessage());
        // a misspelling of a declared key is still caught, with the declared key as the hint
        e = assertThrows(ConfigurationException.class,
                () -> ModelCatalog.from(settings(Map.of("model.llama.remote-nam", "x")), Set.of("remote-name")));
        assertTrue(e.getMessage().contains("did you mean model.llama.remote-name?"), e.getMessage());
    }

    @Test
    void parallelDefaultsToOneSlotAndIsReadPerModel() throws Exception {
        ModelCatalog c = ModelCatalog.from(settings(Map.of("model.llama.parallel", "4", "model.mine.file", "mine/x.gguf",
                "model.mine.parallel", "2")));
        assertEquals(4, c.spec("llama").parallel());
        assertEquals(2, c.spec("mine").parallel());
        assertEquals(1, c.spec("phi-3").parallel());
        assertEquals(1, c.spec("demo").parallel());
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> ModelCatalog.from(settings(Map.of("model.demo.parallel", "0"))));
        assertTrue(e.getMessage().contains("model.demo.parallel=0 (from file test)"), e.getMessage());
    }

    @Test
    void everyBadValueIsReportedAtOnce() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> ModelCatalog.from(settings(Map.of(
                "model.llama.threads", "eighty", "model.gemma.ctx-size", "-5", "model.demo.colour", "red",
                "model.evil.file", "../../etc/passwd", "model.abs.file", "/etc/passwd", "model.nofile.port", "1")), Set.of("port")));
        assertEquals(6, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("model.llama.threads=eighty (from file test): must be a whole number"), e.getMessage());
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

    @Test
    void builtInModelsHaveDefaultSourcesAndASourceCanBeSetOrIsDroppedWithTheFile() {
        ModelCatalog c = ModelCatalog.from(settings(Map.of()));
        assertEquals("hf:bartowski/Llama-3.2-3B-Instruct-GGUF/Llama-3.2-3B-Instruct-Q4_K_M.gguf@main",
                c.find("llama").orElseThrow().source().orElseThrow().toString());
        assertEquals("hf:microsoft/Phi-3-mini-4k-instruct-gguf/Phi-3-mini-4k-instruct-q4.gguf@main",
                c.find("phi-3").orElseThrow().source().orElseThrow().toString());
        assertEquals("hf:unsloth/gemma-3n-E2B-it-GGUF/gemma-3n-E2B-it-Q4_K_M.gguf@main",
                c.find("gemma").orElseThrow().source().orElseThrow().toString());
        for (CatalogEntry e : c.entries()) {
            if (e.source().isPresent()) {
                assertEquals(Path.of(e.file()).getFileName().toString(), e.source().get().fileName(),
                        "a default source names exactly the catalog's file: " + e.id());
            }
        }
        assertTrue(c.find("demo").orElseThrow().source().isEmpty(), "the demo model is not downloaded");
        assertEquals(java.util.Optional.of("snowcrash pull llama"), c.pullCommand("llama"));
        assertTrue(c.pullCommand("demo").isEmpty());

        ModelCatalog o = ModelCatalog.from(settings(Map.of("model.llama.source", "hf:me/mirror/llama.gguf@v2",
                "model.phi-3.file", "phi3-mini/other.gguf",
                "model.mine.file", "mine/x.gguf", "model.mine.source", "hf:me/mine/x.gguf")));
        assertEquals("hf:me/mirror/llama.gguf@v2", o.find("llama").orElseThrow().source().orElseThrow().toString());
        assertTrue(o.find("phi-3").orElseThrow().source().isEmpty(), "another file is no longer the default source's");
        assertEquals("hf:me/mine/x.gguf@main", o.find("mine").orElseThrow().source().orElseThrow().toString());
    }

    @Test
    void aBadSourceIsAConfigurationErrorAndUnknownSettingsStayErrors() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> ModelCatalog.from(settings(Map.of(
                "model.llama.source", "https://huggingface.co/x/y/z.gguf", "model.gemma.sources", "hf:a/b/c.gguf"))));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("model.llama.source=https://huggingface.co/x/y/z.gguf (from file test): "
                + "'https://huggingface.co/x/y/z.gguf' is not a hub source: expected hf:<owner>/<repo>/<file>[@<revision>]"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown model setting 'sources'"), e.getMessage());
    }

    @Test
    void aMissingFileWithASourceNamesThePullCommand() throws Exception {
        Settings s = settings(Map.of());
        ModelCatalog c = ModelCatalog.from(s);
        ModelSpec llama = c.spec("llama");
        org.snowcrash.api.StartFailure.ModelInvalid p = ModelValidator.problem(llama.file()).orElseThrow();
        assertEquals("the file does not exist; download it with: snowcrash pull llama",
                ModelCatalog.withPullHint(p, llama, s).detail());
        Path present = dir.resolve("junk.gguf");
        Files.writeString(present, "not a model");
        ModelSpec junk = new ModelSpec("llama", present, 8, 512, 128, 0, java.time.Duration.ofMinutes(1));
        org.snowcrash.api.StartFailure.ModelInvalid bad = ModelValidator.problem(present).orElseThrow();
        assertEquals(bad, ModelCatalog.withPullHint(bad, junk, s), "a file that is there but broken gets no pull hint");
        ModelSpec mine = new ModelSpec("mine", dir.resolve("x.gguf"), 8, 512, 128, 0, java.time.Duration.ofMinutes(1));
        org.snowcrash.api.StartFailure.ModelInvalid none = ModelValidator.problem(mine.file()).orElseThrow();
        assertEquals(none, ModelCatalog.withPullHint(none, mine, s), "no source, no hint");
    }
}
