package org.snowcrash.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.Settings;
import org.snowcrash.models.hub.HubSource;

/** The hub's settings (documented defaults, the token from the environment only, every bad key at once) and its addresses. */
class HubSettingsTest {

    @Test
    void settingsHaveDocumentedDefaultsAndTheTokenComesFromTheEnvironmentOnly() {
        HubSettings d = HubSettings.from(Settings.empty(), Map.of());
        assertEquals(URI.create("https://huggingface.co"), d.url());
        assertEquals(Duration.ofSeconds(10), d.connectTimeout());
        assertEquals(Duration.ofSeconds(30), d.readTimeout());
        assertEquals(Optional.empty(), d.token());
        HubSettings s = HubSettings.from(Settings.of(Map.of("snowcrash.hub.url", "http://127.0.0.1:8999/",
                "snowcrash.hub.read-timeout", "2s", "snowcrash.hub.connect-timeout", "500ms")), Map.of("HF_TOKEN", " hf_abc "));
        assertEquals(URI.create("http://127.0.0.1:8999"), s.url());
        assertEquals(Duration.ofSeconds(2), s.readTimeout());
        assertEquals(Duration.ofMillis(500), s.connectTimeout());
        assertEquals(Optional.of("hf_abc"), s.token());
        assertFalse(s.toString().contains("hf_abc"), "the token is never printed: " + s);
        assertEquals(Optional.empty(), HubSettings.from(Settings.empty(), Map.of("HF_TOKEN", "  ")).token());
    }

    @Test
    void everyBadHubSettingIsReportedAtOnceAndUnknownHubKeysAreErrors() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> HubSettings.from(Settings.of(Map.of(
                "snowcrash.hub.url", "ftp://mirror", "snowcrash.hub.read-timeout", "soon",
                "snowcrash.hub.read-timout", "3s")), Map.of()));
        assertEquals(3, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("snowcrash.hub.url=ftp://mirror (from map): must be an http or https address"), e.getMessage());
        assertTrue(e.getMessage().contains("snowcrash.hub.read-timeout=soon (from map): must be a positive duration"), e.getMessage());
        assertTrue(e.getMessage().contains("snowcrash.hub.read-timout=3s (from map): unknown key; did you mean snowcrash.hub.read-timeout?"),
                e.getMessage());
    }

    @Test
    void addressesFollowTheHubLayoutAlsoUnderAMirrorPath() {
        HubSource s = HubSource.parse("hf:acme/tiny-GGUF/q4 files/tiny.gguf@v1.0");
        try (HubDownloader hub = new HubDownloader(HubSettings.from(Settings.empty(), Map.of()));
             HubDownloader mirror = new HubDownloader(HubSettings.from(Settings.of(Map.of("snowcrash.hub.url",
                     "https://mirror.example/hf/")), Map.of()))) {
            assertEquals("https://huggingface.co/acme/tiny-GGUF/resolve/v1.0/q4%20files/tiny.gguf", hub.urlOf(s).toString());
            assertEquals("https://mirror.example/hf/acme/tiny-GGUF/resolve/v1.0/q4%20files/tiny.gguf", mirror.urlOf(s).toString());
        }
    }

    @Test
    void onlyAQuotedSixtyFourHexEtagIsTakenForASha256() {
        String sha = "a".repeat(64);
        assertEquals(Optional.of(sha), HubMetadata.sha256Of("\"" + sha + "\""));
        assertEquals(Optional.of(sha), HubMetadata.sha256Of("W/\"" + sha.toUpperCase() + "\""));
        assertEquals(Optional.empty(), HubMetadata.sha256Of("\"65f1a2b-7a120\""), "nginx's own ETag");
        assertEquals(Optional.empty(), HubMetadata.sha256Of("\"" + "b".repeat(40) + "\""), "a git blob sha1");
        assertEquals(Optional.empty(), HubMetadata.sha256Of(null));
    }
}
