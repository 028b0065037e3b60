package org.snowcrash.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.Settings;

/** The bearer key: configured, or generated once into a private file and reused. */
class ApiKeyTest {

    @TempDir
    Path home;

    private ServeSettings settings(String... keyValues) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return ServeSettings.from(Settings.of(m, "test"), Map.of("HOME", home.toString()));
    }

    @Test
    void aKeyIsGeneratedOnceIntoAPrivateFileAndReused() throws Exception {
        ApiKey first = ApiKey.resolve(settings(), "test");
        Path file = home.resolve(".config/snowcrash/serve.key");
        assertEquals(Optional.of(file), first.file());
        assertTrue(first.generated());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals(first.value(), Files.readString(file).strip());
        assertTrue(first.value().length() >= 40, "256 random bits");
        try (var entries = Files.list(file.getParent())) {
            assertEquals(1, entries.count(), "no temporary file left beside it");
        }

        ApiKey again = ApiKey.resolve(settings(), "test");
        assertFalse(again.generated());
        assertEquals(first.value(), again.value(), "the same key on the next start");
        assertTrue(again.matches(first.value()));
        assertFalse(again.matches(first.value() + "x"));
        assertFalse(again.matches(null));
        assertFalse(again.toString().contains(first.value()), "never printed by accident");

        Files.delete(file);
        assertNotEquals(first.value(), ApiKey.resolve(settings(), "test").value(), "a removed file gives a new key");
    }

    @Test
    void xdgConfigHomeIsUsedWhenAbsolute() {
        Path xdg = home.resolve("xdg");
        ServeSettings s = ServeSettings.from(Settings.empty(), Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", xdg.toString()));
        assertEquals(xdg.resolve("snowcrash/serve.key"), s.keyFile());
        ServeSettings relative = ServeSettings.from(Settings.empty(), Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", "rel"));
        assertEquals(home.resolve(".config/snowcrash/serve.key"), relative.keyFile(), "a relative XDG_CONFIG_HOME is ignored");
    }

    @Test
    void aConfiguredKeyNeedsNoFile() {
        ApiKey k = ApiKey.resolve(settings("serve.api-key", "configured-key-0123456789"), "file x.properties");
        assertEquals("configured-key-0123456789", k.value());
        assertEquals(Optional.empty(), k.file());
        assertEquals("serve.api-key (from file x.properties)", k.origin());
        assertFalse(Files.exists(home.resolve(".config")));
    }

    @Test
    void aKeyFileOthersCanReadIsRefusedWithWhatToDo() throws Exception {
        Path file = home.resolve("key");
        Files.writeString(file, "some-key-0123456789abcdef\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> ApiKey.resolve(settings("serve.key-file", file.toString()), "test"));
        assertTrue(e.getMessage().contains("readable or writable by others (rw-r--r--); run chmod 600"), e.getMessage());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertEquals("some-key-0123456789abcdef", ApiKey.resolve(settings("serve.key-file", file.toString()), "test").value());
    }

    @Test
    void aLinkOrAnEmptyFileIsRefused() throws Exception {
        Path target = Files.writeString(home.resolve("target"), "some-key-0123456789abcdef\n");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
        Path link = Files.createSymbolicLink(home.resolve("link"), target);
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> ApiKey.resolve(settings("serve.key-file", link.toString()), "test"));
        assertTrue(e.getMessage().contains("is not a regular file"), e.getMessage());
        Path empty = Files.createFile(home.resolve("empty"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        e = assertThrows(ConfigurationException.class, () -> ApiKey.resolve(settings("serve.key-file", empty.toString()), "test"));
        assertTrue(e.getMessage().contains("does not hold a key"), e.getMessage());
    }

    @Test
    void wrongServeSettingsAreReportedAtOnceWithSuggestions() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> settings(
                "serve.prot", "1", "serve.port", "70000", "serve.api-key", "short", "serve.drain-timeout", "soon"));
        String m = e.getMessage();
        assertEquals(4, e.problems().size(), m);
        assertTrue(m.contains("serve.prot=1 (from test): unknown key; did you mean serve.port?"), m);
        assertTrue(m.contains("serve.port=70000"), m);
        assertTrue(m.contains("serve.api-key=(hidden)"), "the key is never printed: " + m);
        assertFalse(m.contains("short"), m);
        assertTrue(m.contains("serve.drain-timeout=soon"), m);
    }
}
