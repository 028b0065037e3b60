package org.snowcrash.models.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.Settings;

/** The {@code hf:} form, the hub settings and the addresses built from them. */
class HubSourceTest {

    @Test
    void parsesOwnerRepoFileAndRevision() {
        HubSource s = HubSource.parse("hf:bartowski/Llama-3.2-3B-Instruct-GGUF/Llama-3.2-3B-Instruct-Q4_K_M.gguf");
        assertEquals(new HubSource("bartowski", "Llama-3.2-3B-Instruct-GGUF", "Llama-3.2-3B-Instruct-Q4_K_M.gguf", "main"), s);
        assertEquals("hf:bartowski/Llama-3.2-3B-Instruct-GGUF/Llama-3.2-3B-Instruct-Q4_K_M.gguf@main", s.toString());
        HubSource pinned = HubSource.parse(" hf:o/r/q4/model.gguf@0123abcd ");
        assertEquals("q4/model.gguf", pinned.file());
        assertEquals("model.gguf", pinned.fileName());
        assertEquals("0123abcd", pinned.revision());
        assertEquals(List.of("o", "r", "resolve", "0123abcd", "q4", "model.gguf"), pinned.resolveSegments());
        assertEquals(HubSource.parse("hf:o/r/f.gguf@v1"), HubSource.parse(HubSource.parse("hf:o/r/f.gguf@v1").toString()));
    }

    @Test
    void badFormsAreClearErrors() {
        assertEquals("'https://x/y' is not a hub source: expected hf:<owner>/<repo>/<file>[@<revision>]", error("https://x/y"));
        assertTrue(error("hf:owner/repo").startsWith("'hf:owner/repo' names no file: expected hf:<owner>/<repo>/<file>[@<revision>]"),
                error("hf:owner/repo"));
        assertTrue(error("hf:o/r/f.gguf@").contains("the revision after '@' is empty"));
        assertTrue(error("hf:o/r/../../etc/passwd").contains("must be a path inside the repository"));
        assertTrue(error("hf:o/r/a//b.gguf").contains("must be a path inside the repository"));
        assertTrue(error("hf:o w/r/f.gguf").contains("owner 'o w' must be letters"));
        assertTrue(error("hf:o/r/f.gguf@refs/pr/1").contains("revision 'refs/pr/1' must be a branch, tag or commit"),
                error("hf:o/r/f.gguf@refs/pr/1"));
        assertTrue(error("hf:o/r/dir@x/f.gguf").contains("revision 'x/f.gguf'"), "the last '@' starts the revision");
        assertTrue(error("hf:o/r/f.gguf@bad rev").contains("revision 'bad rev' must be"));
    }

    private static String error(String text) {
        return assertThrows(IllegalArgumentException.class, () -> HubSource.parse(text)).getMessage();
    }

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
        assertEquals(Optional.of(sha), HubDownloader.sha256Of("\"" + sha + "\""));
        assertEquals(Optional.of(sha), HubDownloader.sha256Of("W/\"" + sha.toUpperCase() + "\""));
        assertEquals(Optional.empty(), HubDownloader.sha256Of("\"65f1a2b-7a120\""), "nginx's own ETag");
        assertEquals(Optional.empty(), HubDownloader.sha256Of("\"" + "b".repeat(40) + "\""), "a git blob sha1");
        assertEquals(Optional.empty(), HubDownloader.sha256Of(null));
    }
}
