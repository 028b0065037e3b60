package org.snowcrash.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.LlmBackend;
import org.snowcrash.api.Settings;
import org.snowcrash.testkit.fake.FakeBackend;

class BackendRegistryTest {

    @TempDir
    Path dir;

    @Test
    void perModelSettingsOfEveryBackendEnabledOrNotAndNoneFromOneThatThrows() {
        LlmBackend keyed = FakeBackend.builder("keyed").priority(5).modelSettings(java.util.Set.of("port", "colour")).build();
        LlmBackend off = FakeBackend.builder("off").priority(4).modelSettings(java.util.Set.of("remote-name")).build();
        LlmBackend broken = new FakeBackend(FakeBackend.builder("broken").priority(3)) {
            @Override
            public java.util.Set<String> modelSettings() {
                throw new IllegalStateException("a bug in a plugin");
            }
        };
        Discovery d = BackendRegistry.order(List.of(keyed, off, broken, fake("plain", 1)), List.of(),
                Settings.of(Map.of("backend.off.enabled", "false"), "test"));
        assertEquals(List.of("colour", "port", "remote-name"), List.copyOf(d.modelSettings()));
    }

    @Test
    void higherPriorityFirstTiesById() {
        Discovery d = BackendRegistry.order(List.of(fake("zeta", 5), fake("alpha", 5),
                fake("top", 9), fake("low", -3)), List.of(), Settings.empty());
        assertEquals(List.of("top", "alpha", "zeta", "low"), d.ids());
        assertTrue(d.broken().isEmpty());
    }

    @Test
    void configurationOverridesPriorityAndDisables() {
        Settings s = Settings.of(Map.of("backend.low.priority", "100", "backend.top.enabled", "false"), "file x");
        Discovery d = BackendRegistry.order(List.of(fake("top", 9), fake("low", 1)), List.of(), s);
        assertEquals(List.of("low", "top"), d.ids());
        assertEquals("file x", d.candidates().get(0).prioritySource());
        assertFalse(d.find("top").orElseThrow().enabled());
        assertTrue(d.select("top").candidates().get(0).enabled(), "an explicit choice beats enabled=false");
    }

    @Test
    void badConfigurationIsReportedAllAtOnce() {
        Settings s = Settings.of(Map.of("backend.a.priority", "high", "backend.b.enabled", "yes"), "environment");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> BackendRegistry.order(
                List.of(fake("a", 1), fake("b", 1)), List.of(), s));
        assertEquals(2, e.problems().size());
        assertTrue(e.getMessage().contains("backend.a.priority=high (from environment)"), e.getMessage());
        assertTrue(e.getMessage().contains("backend.b.enabled=yes (from environment)"), e.getMessage());
    }

    @Test
    void duplicateAndInvalidIdsAreBrokenNotFatal() {
        Discovery d = BackendRegistry.order(List.of(fake("a", 1), fake("a", 2),
                fake("Bad Id", 3)), List.of(), Settings.empty());
        assertEquals(List.of("a"), d.ids());
        assertEquals(2, d.broken().size());
        assertTrue(d.broken().get(0).describe().contains("already provided"));
        assertTrue(d.broken().get(1).describe().contains("invalid backend id"));
    }

    @Test
    void unknownBackendNamesTheJarToAdd() {
        Discovery d = BackendRegistry.order(List.of(fake("llamacpp", 1)), List.of(), Settings.empty());
        UnknownBackendException e = assertThrows(UnknownBackendException.class, () -> d.select("docker"));
        assertEquals("no backend with id 'docker' is on the classpath (found: llamacpp). Add the jar that provides it,"
                + " e.g. snowcrash-backend-docker-<version>.jar, to the lib/ folder (or the classpath)", e.getMessage());
    }

    /** A backend with this id and priority (it is never started here). */
    private static FakeBackend fake(String id, int priority) {
        return FakeBackend.builder(id).priority(priority).build();
    }

    private URL jar(String name, String... lines) throws Exception {
        Path root = dir.resolve(name);
        Path services = Files.createDirectories(root.resolve("META-INF/services"));
        Files.writeString(services.resolve(LlmBackend.class.getName()), String.join("\n", lines) + "\n");
        return root.toUri().toURL();
    }

    @Test
    void brokenPluginJarsDoNotHideGoodOnes() throws Exception {
        // Three "jars": a service file with a syntax error, one naming a missing class and a class
        // whose constructor throws, and a good one. ServiceLoader gives up on a file it cannot
        // parse, so the good plugin lives in its own jar, as it would in lib/.
        URL[] jars = {
            jar("syntax", "not a class name!"),
            jar("missing", "com.example.MissingBackend", ThrowingBackend.class.getName()),
            jar("good", GoodBackend.class.getName()),
        };
        try (URLClassLoader loader = new URLClassLoader(jars, getClass().getClassLoader())) {
            Discovery d = BackendRegistry.discover(Settings.empty(), List.of(loader));
            assertEquals(List.of("good"), d.ids());
            String broken = d.broken().stream().map(BrokenPlugin::describe).collect(Collectors.joining("\n"));
            assertTrue(broken.contains("com.example.MissingBackend"), broken);
            assertTrue(broken.contains("ThrowingBackend"), broken);
            assertTrue(broken.contains("constructor exploded"), broken);
            assertTrue(broken.contains("Illegal configuration-file syntax"), broken);
            assertEquals(3, d.broken().size(), broken);
        }
    }

    /** The try order depends only on ids and priorities, never on the order backends were found. */
    @Property(tries = 300)
    void orderIndependentOfDiscoveryOrder(@ForAll @IntRange(min = 1, max = 12) int n, @ForAll long seed) {
        Random r = new Random(seed);
        List<LlmBackend> backends = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            backends.add(fake("b" + i, r.nextInt(4) - 2)); // few values: many ties
        }
        List<String> first = BackendRegistry.order(backends, List.of(), Settings.empty()).ids();
        Collections.shuffle(backends, r);
        List<String> second = BackendRegistry.order(backends, List.of(), Settings.empty()).ids();
        assertEquals(first, second);
        assertEquals(n, first.size());
        List<Candidate> c = BackendRegistry.order(backends, List.of(), Settings.empty()).candidates();
        for (int i = 1; i < c.size(); i++) {
            assertTrue(BackendRegistry.TRY_ORDER.compare(c.get(i - 1), c.get(i)) < 0, "strictly ordered");
        }
    }
}
