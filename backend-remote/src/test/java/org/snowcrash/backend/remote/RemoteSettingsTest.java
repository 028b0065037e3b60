package org.snowcrash.backend.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.Availability;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.Settings;

class RemoteSettingsTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAndAListOfBaseUrls() {
        RemoteSettings s = RemoteSettings.from(Settings.of(Map.of("backend.remote.endpoints",
                " http://gpu1:8080/v1, https://gpu2.example/llm/v1/ ,")));
        assertEquals(List.of("http://gpu1:8080/v1", "https://gpu2.example/llm/v1"), s.endpoints());
        assertEquals(Optional.empty(), s.apiKey());
        assertEquals(Optional.empty(), s.caFile());
        assertEquals(Duration.ofSeconds(2), s.connectTimeout());
        assertEquals(Duration.ofSeconds(120), s.idleTimeout());
        assertEquals(Duration.ofMinutes(10), s.requestTimeout());
        assertEquals(Duration.ofSeconds(30), s.cooldown());
        assertTrue(s.configured());
        assertFalse(RemoteSettings.from(Settings.empty()).configured());
    }

    @Test
    void capabilitiesDefaultToToolsAndJsonSchemaAndMayBeFewer() {
        assertEquals(java.util.Set.of(Capability.TOOLS, Capability.JSON_SCHEMA),
                RemoteSettings.from(Settings.of(Map.of("backend.remote.endpoints", "http://a/v1"))).capabilities());
        assertEquals(java.util.Set.of(Capability.JSON_SCHEMA), RemoteSettings.from(Settings.of(Map.of(
                "backend.remote.endpoints", "http://a/v1", "backend.remote.capabilities", " JSON-Schema "))).capabilities());
        assertEquals(java.util.Set.of(), RemoteSettings.from(Settings.of(Map.of(
                "backend.remote.endpoints", "http://a/v1", "backend.remote.capabilities", "none"))).capabilities());
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> RemoteSettings.from(Settings.of(Map.of(
                "backend.remote.endpoints", "http://a/v1", "backend.remote.capabilities", "tools,grammar"))));
        assertTrue(e.getMessage().contains("backend.remote.capabilities=tools,grammar")
                && e.getMessage().contains("'grammar' is not one of tools, json-schema"), e.getMessage());
    }

    @Test
    void everyProblemAtOnceEachNamingItsKey() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> RemoteSettings.from(Settings.of(Map.of(
                "backend.remote.endpoints", "gpu1:8080/v1,http://a/v1,http://a/v1,http://a/v1?x=1",
                "backend.remote.cooldown", "soon",
                "backend.remote.ca-file", dir.resolve("missing.pem").toString(),
                "backend.remote.conect-timeout", "1s"))));
        String m = e.getMessage();
        assertTrue(m.contains("'gpu1:8080/v1' is not an http:// or https:// URL"), m);
        assertTrue(m.contains("'http://a/v1' is listed twice"), m);
        assertTrue(m.contains("must be a plain base URL"), m);
        assertTrue(m.contains("backend.remote.cooldown=soon"), m);
        assertTrue(m.contains("backend.remote.ca-file=") && m.contains("cannot be read"), m);
        assertTrue(m.contains("backend.remote.conect-timeout=1s (from map): unknown key; did you mean backend.remote.connect-timeout?"), m);
    }

    @Test
    void aMistypedKeyThatHoldsASecretIsReportedWithoutItsValue() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> RemoteSettings.from(Settings.of(Map.of(
                "backend.remote.endpoints", "http://a/v1", "backend.remote.apikey", "sk-very-secret"))));
        assertTrue(e.getMessage().contains("backend.remote.apikey=(hidden)"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean backend.remote.api-key?"), e.getMessage());
        assertFalse(e.getMessage().contains("sk-very-secret"), e.getMessage());
        RemoteSettings ok = RemoteSettings.from(Settings.of(Map.of("backend.remote.endpoints", "http://a/v1",
                "backend.remote.api-key", "sk-very-secret")));
        assertFalse(ok.toString().contains("sk-very-secret"), "not in toString either");
    }

    @Test
    void theRemoteNameDefaultsToTheModelId() {
        Settings s = Settings.of(Map.of("model.llama.remote-name", "meta-llama/Llama-3.2-3B-Instruct"));
        assertEquals("meta-llama/Llama-3.2-3B-Instruct", RemoteSettings.remoteName(s, "llama"));
        assertEquals("phi-3", RemoteSettings.remoteName(s, "phi-3"));
    }

    @Test
    void unconfiguredItIsNotConfiguredAndSaysHowToConfigureIt() {
        Availability a = new RemoteBackend().availability(BackendContext.of(Settings.empty()));
        assertEquals("set backend.remote.endpoints to the base URLs of OpenAI-compatible"
                + " servers, e.g. http://gpu1:8080/v1,http://gpu2:8080/v1", ((Availability.NotConfigured) a).howTo());
    }

    @Test
    void aConfigurationErrorMakesItUnavailableWithTheProblem() {
        Availability a = new RemoteBackend().availability(BackendContext.of(Settings.of(Map.of(
                "backend.remote.endpoints", "ftp://x"))));
        assertTrue(((Availability.Unavailable) a).reason().contains("'ftp://x' is not an http:// or https:// URL"), a.toString());
    }
}
