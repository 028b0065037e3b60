package org.snowcrash.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.ConfigurationException;

class ConfigurationTest {

    @TempDir
    Path dir;

    @Test
    void environmentNamesMapToKeys() {
        assertEquals(Optional.of("backend.docker.priority"), Configuration.envKey("SNOWCRASH_BACKEND_DOCKER_PRIORITY"));
        assertEquals(Optional.of("model.phi-3.ctx-size"), Configuration.envKey("SNOWCRASH_MODEL_PHI__3_CTX__SIZE"));
        assertEquals(Optional.of("snowcrash.models.dir"), Configuration.envKey("SNOWCRASH_MODELS_DIR"));
        assertEquals(Optional.of("serve.api-key"), Configuration.envKey("SNOWCRASH_SERVE_API__KEY"));
        assertEquals("SNOWCRASH_SERVE_API__KEY", Configuration.envName("serve.api-key"));
        assertEquals(Optional.empty(), Configuration.envKey("SNOWCRASH_CONFIG"));
        assertEquals(Optional.empty(), Configuration.envKey("PATH"));
        assertEquals("SNOWCRASH_MODEL_PHI__3_CTX__SIZE", Configuration.envName("model.phi-3.ctx-size"));
    }

    @Test
    void precedenceIsFileThenEnvironmentThenSystemPropertyThenFlags() throws Exception {
        Path file = dir.resolve("snowcrash.properties");
        Files.writeString(file, "backend.llamacpp.priority=1\nbackend.docker.priority=1\nmodel.demo.port=1\nsnowcrash.models.dir=/f\n");
        Properties sys = new Properties();
        sys.setProperty("backend.docker.priority", "3");
        sys.setProperty("model.demo.port", "3");
        sys.setProperty("unrelated.key", "x");
        sys.setProperty("serve.port", "5");
        Map<String, String> env = Map.of("SNOWCRASH_BACKEND_DOCKER_PRIORITY", "2", "SNOWCRASH_MODEL_DEMO_PORT", "2",
                "SNOWCRASH_MODELS_DIR", "/e");
        Configuration c = Configuration.load(new Configuration.Inputs(Optional.empty(), env, sys, dir, null,
                Map.of("model.demo.port", "4")));
        assertEquals("1", c.get("backend.llamacpp.priority").orElseThrow());
        assertEquals("file " + file, c.sourceOf("backend.llamacpp.priority"));
        assertEquals("/e", c.get("snowcrash.models.dir").orElseThrow());
        assertEquals("environment", c.sourceOf("snowcrash.models.dir"));
        assertEquals("3", c.get("backend.docker.priority").orElseThrow());
        assertEquals("system property", c.sourceOf("backend.docker.priority"));
        assertEquals("4", c.get("model.demo.port").orElseThrow());
        assertEquals("command line", c.sourceOf("model.demo.port"));
        assertTrue(c.get("unrelated.key").isEmpty());
        assertEquals("5", c.get("serve.port").orElseThrow(), "serve.* system properties are ours");
    }

    @Test
    void explicitFileBeatsEnvironmentFileAndMustExist() throws Exception {
        Path a = Files.writeString(dir.resolve("a.properties"), "backend.x.priority=7\n");
        Path b = Files.writeString(dir.resolve("b.properties"), "backend.x.priority=8\n");
        Configuration c = Configuration.load(new Configuration.Inputs(Optional.of(a),
                Map.of("SNOWCRASH_CONFIG", b.toString()), new Properties(), dir, null, Map.of()));
        assertEquals("7", c.get("backend.x.priority").orElseThrow());
        Configuration viaEnv = Configuration.load(new Configuration.Inputs(Optional.empty(),
                Map.of("SNOWCRASH_CONFIG", b.toString()), new Properties(), dir, null, Map.of()));
        assertEquals("8", viaEnv.get("backend.x.priority").orElseThrow());
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> Configuration.load(
                new Configuration.Inputs(Optional.of(dir.resolve("missing.properties")), Map.of(), new Properties(), dir, null, Map.of())));
        assertTrue(e.getMessage().contains("missing.properties"), e.getMessage());
    }

    /** Whatever mix of sources sets a key, the highest one wins and is named as the source. */
    @Property(tries = 200)
    void highestSourceWins(@ForAll boolean inFile, @ForAll boolean inEnv, @ForAll boolean inSys, @ForAll boolean inFlag,
                           @ForAll @IntRange(min = -1000, max = 1000) int base) throws Exception {
        Path d = Files.createTempDirectory("cfg");
        try {
            Map<String, String> env = new HashMap<>();
            Properties sys = new Properties();
            Map<String, String> flags = new HashMap<>();
            String expected = null;
            String source = "default";
            if (inFile) {
                Files.writeString(d.resolve("snowcrash.properties"), "backend.b.priority=" + base + "\n");
                expected = String.valueOf(base);
                source = "file " + d.resolve("snowcrash.properties");
            }
            if (inEnv) {
                env.put("SNOWCRASH_BACKEND_B_PRIORITY", String.valueOf(base + 1));
                expected = String.valueOf(base + 1);
                source = "environment";
            }
            if (inSys) {
                sys.setProperty("backend.b.priority", String.valueOf(base + 2));
                expected = String.valueOf(base + 2);
                source = "system property";
            }
            if (inFlag) {
                flags.put("backend.b.priority", String.valueOf(base + 3));
                expected = String.valueOf(base + 3);
                source = "command line";
            }
            Configuration c = Configuration.load(new Configuration.Inputs(Optional.empty(), env, sys, d, null, flags));
            assertEquals(Optional.ofNullable(expected), c.get("backend.b.priority"));
            assertEquals(source, c.sourceOf("backend.b.priority"));
        } finally {
            Files.deleteIfExists(d.resolve("snowcrash.properties"));
            Files.delete(d);
        }
    }

    @Test
    void theProcessDefaultIsLoadedOnceAndShared() {
        String key = "snowcrash.test.process-default";
        System.setProperty(key, "first");
        try {
            Configuration a = Configuration.processDefault();
            System.setProperty(key, "second");
            Configuration b = Configuration.processDefault();
            assertTrue(a == b, "every builder given no settings gets the same configuration");
            // Loaded once: a change of the sources after the first load is not seen.
            assertTrue(b.get(key).filter("second"::equals).isEmpty(), "read again: " + b.get(key));
        } finally {
            System.clearProperty(key);
        }
    }
}
