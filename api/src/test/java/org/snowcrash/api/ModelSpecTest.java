package org.snowcrash.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ModelSpecTest {

    private final Path file = Path.of("/models/x.gguf");

    @Test
    void defaultsAreTheOriginalConservativeSettings() {
        ModelSpec s = ModelSpec.builder("llama", file).build();
        assertEquals(8, s.gpuLayers());
        assertEquals(512, s.contextSize());
        assertEquals(128, s.batchSize());
        assertEquals(ModelSpec.DEFAULT_STARTUP_TIMEOUT, s.startupTimeout());
        assertEquals(1, s.parallel(), "one request at a time: it gets the whole context");
    }

    @Test
    void parallelIsKeptByToBuilderAndMustBePositive() {
        ModelSpec s = ModelSpec.builder("x", file).parallel(4).build();
        assertEquals(4, s.parallel());
        assertEquals(s, s.toBuilder().build());
        assertEquals(1, new ModelSpec("x", file, 8, 512, 128, 0, Duration.ofMinutes(1)).parallel(),
                "the constructor without parallel means one slot");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelSpec.builder("x", file).parallel(0).build());
        assertEquals("parallel must be at least 1, got 0", e.getMessage());
    }

    @Test
    void invalidValuesAreRejectedAtConstruction() {
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder("", file).build());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder("../etc", file).build());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder("a/b", file).build());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder("x", file).contextSize(-1).build());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder("x", file).batchSize(0).build());
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.builder("x", file).startupTimeout(Duration.ZERO).build());
    }

    @Test
    void toBuilderRoundTrips() {
        ModelSpec s = ModelSpec.builder("x", file).threads(3).contextSize(2048).build();
        assertEquals(s, s.toBuilder().build());
        assertEquals(file, s.file());
    }

    @Test
    void readerCollectsEveryProblemWithItsSource() {
        Settings s = Settings.of(Map.of("a", "x", "b", "true", "c", "5m", "d", "2g", "e", "maybe"), "file test.properties");
        SettingsReader r = s.reader();
        assertEquals(7, r.integer("a", 7, 0, 10));
        assertEquals(true, r.bool("b", false));
        assertEquals(Duration.ofMinutes(5), r.duration("c", Duration.ZERO));
        assertEquals(2L << 30, r.bytes("d", 0));
        assertEquals(false, r.bool("e", false));
        ConfigurationException e = assertThrows(ConfigurationException.class, r::throwIfProblems);
        assertEquals(2, e.problems().size());
        assertTrue(e.getMessage().contains("a=x (from file test.properties): must be a whole number"), e.getMessage());
        assertTrue(e.getMessage().contains("e=maybe (from file test.properties): must be true or false"), e.getMessage());
    }

    @Test
    void availabilityNeedsAReason() {
        assertThrows(IllegalArgumentException.class, () -> Availability.unavailable(" "));
        assertTrue(Availability.available().isAvailable());
    }
}
