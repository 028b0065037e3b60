package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.Settings;

/** Settings, policies, image names and the sweep rule, without an engine. */
class PoliciesTest {

    private static DockerSettings settings(Map<String, String> env, String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return DockerSettings.from(Settings.of(m, "test"), env);
    }

    @Test
    void policiesAreEnumsAndABadValueNamesTheChoices() {
        DockerSettings s = settings(Map.of(), "backend.docker.pull", "ALWAYS", "backend.docker.gpu", "off",
                "backend.docker.network", "host");
        assertEquals(PullPolicy.ALWAYS, s.pull());
        assertEquals(GpuMode.OFF, s.gpu());
        assertEquals(NetworkMode.HOST, s.network());
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> settings(Map.of(), "backend.docker.pull", "sometimes"));
        assertTrue(e.getMessage().contains("must be one of missing, never, always"), e.getMessage());
    }

    @Test
    void anImageWithoutTagMeansLatestNeverEveryTag() {
        assertEquals("ghcr.io/ggml-org/llama.cpp:latest", ImageReference.withDefaultTag("ghcr.io/ggml-org/llama.cpp"));
        assertEquals("localhost:5000/llama:latest", ImageReference.withDefaultTag("localhost:5000/llama"));
        assertEquals("localhost:5000/llama:b1", ImageReference.withDefaultTag("localhost:5000/llama:b1"));
        assertEquals("img@sha256:abc", ImageReference.withDefaultTag("img@sha256:abc"));
        assertEquals("snowcrash/llama-server:latest", settings(Map.of(), "backend.docker.image", "snowcrash/llama-server").image());
    }

    @Test
    void theApiKeyCannotBeTurnedOffAndTheReaperKeyIsAcceptedAsMoved() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> settings(Map.of(), "backend.docker.api-key", "false"));
        assertTrue(e.getMessage().contains("cannot be turned off"), e.getMessage());
        settings(Map.of(), "backend.docker.reaper", "false", "backend.docker.api-key", "true");
    }

    @Test
    void bindAddressesAreLiteralIpv4OrIpv6() {
        assertEquals("::1", settings(Map.of(), "backend.docker.bind-address", "::1").bindAddress());
        assertEquals("[::1]", BindAddress.urlHost("::1"));
        assertEquals("127.0.0.1", BindAddress.urlHost("0.0.0.0"));
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> settings(Map.of(), "backend.docker.bind-address", "localhost"));
        assertTrue(e.getMessage().contains("IPv4 or IPv6 address"), e.getMessage());
    }

    @Test
    void anEngineOnAnotherHostIsReachedAtThatHostUnlessASpecificAddressIsBound() {
        assertEquals("gpu1", BindAddress.serverHost("tcp://gpu1:2376", "0.0.0.0"));
        assertEquals("10.0.0.7", BindAddress.serverHost("tcp://10.0.0.7:2376", "::"));
        assertEquals("[fd00::7]", BindAddress.serverHost("tcp://[fd00::7]:2376", "0.0.0.0"));
        assertEquals("192.168.1.20", BindAddress.serverHost("tcp://gpu1:2376", "192.168.1.20"), "a specific address as it is");
        assertEquals("127.0.0.1", BindAddress.serverHost("unix:///var/run/docker.sock", "0.0.0.0"), "this machine's engine");
        assertEquals("127.0.0.1", BindAddress.serverHost("tcp://127.0.0.1:2376", "127.0.0.1"), "an engine tunnelled to loopback");
        assertEquals("gpu1", BindAddress.engineHost("tcp://gpu1").orElseThrow());
        assertTrue(BindAddress.engineHost("unix:///var/run/docker.sock").isEmpty());
    }

    @Test
    void aLoopbackBindOnAnotherHostsEngineIsRefusedSayingWhy() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> settings(Map.of(), "backend.docker.host", "tcp://gpu1:2376"));
        assertTrue(e.getMessage().contains("backend.docker.bind-address=127.0.0.1 (from default): publishes the server on the"
                + " loopback of the engine's host gpu1, which this machine cannot reach; set it to 0.0.0.0"), e.getMessage());
        assertEquals("127.0.0.1", settings(Map.of(), "backend.docker.host", "tcp://127.0.0.1:2376").bindAddress(),
                "an engine on this machine's loopback (a TLS proxy, a tunnel) is fine");
        assertEquals("0.0.0.0", settings(Map.of(), "backend.docker.host", "tcp://gpu1:2376", "backend.docker.bind-address",
                "0.0.0.0").bindAddress());
    }

    @Test
    void dockerTlsVariablesAreHonouredAndKeysWin() {
        DockerSettings env = settings(Map.of("DOCKER_HOST", "tcp://gpu1:2376", "DOCKER_TLS_VERIFY", "1",
                "DOCKER_CERT_PATH", "/etc/robot/docker"), "backend.docker.bind-address", "0.0.0.0");
        assertEquals("tcp://gpu1:2376", env.host());
        assertTrue(env.tlsVerify());
        assertEquals(Path.of("/etc/robot/docker"), env.certPath());
        DockerSettings keys = settings(Map.of("DOCKER_TLS_VERIFY", "1"), "backend.docker.tls-verify", "false");
        assertFalse(keys.tlsVerify());
        assertFalse(settings(Map.of("DOCKER_TLS_VERIFY", "0")).tlsVerify());
        assertEquals(Path.of("/home/robot/.docker"), settings(Map.of("HOME", "/home/robot")).certPath());
    }

    @Test
    void usersAndLabelsAreChecked() {
        assertEquals("1000:1000", settings(Map.of(), "backend.docker.user", "1000:1000").user());
        assertThrows(ConfigurationException.class, () -> settings(Map.of(), "backend.docker.user", "robot"));
        ConfigurationException own = assertThrows(ConfigurationException.class,
                () -> settings(Map.of(), "backend.docker.labels", "org.snowcrash.owner=me"));
        assertTrue(own.getMessage().contains("snowcrash's own"), own.getMessage());
        assertThrows(ConfigurationException.class, () -> settings(Map.of(), "backend.docker.labels", "novalue"));
    }

    @Test
    void idsInsideAUserNamespaceAreMappedToTheIdsTheEngineSees() {
        // unshare --user --map-root-user as uid 1001: the process sees itself as 0.
        assertEquals(1001, CallerIds.outside(0, java.util.List.of("         0       1001          1")));
        // The initial namespace maps every id to itself.
        assertEquals(1001, CallerIds.outside(1001, java.util.List.of("         0          0 4294967295")));
        assertEquals(67, CallerIds.outside(5, java.util.List.of("0 100000 3", "3 65 10")));
    }

    @Test
    void onlyContainersWhoseOwnerIsProvablyGoneAreAbandoned() {
        Map<String, String> ours = Labels.forModel("demo", Map.of());
        Instant now = Instant.parse("2026-11-25T12:00:00Z");
        assertTrue(Abandonment.isAbandoned(ours, "exited", now, now));
        assertTrue(Abandonment.isAbandoned(ours, "dead", now, now));
        assertTrue(Abandonment.isAbandoned(ours, "removing", now, now), "the engine is already taking it away");
        assertFalse(Abandonment.isAbandoned(ours, "running", now.minus(Duration.ofDays(30)), now),
                "running means the owner's connection is open");
        assertFalse(Abandonment.isAbandoned(ours, "created", now.minusSeconds(5), now), "its owner may be starting it");
        assertTrue(Abandonment.isAbandoned(ours, "created", now.minus(Abandonment.CREATED_GRACE).minusSeconds(1), now));
        assertFalse(Abandonment.isAbandoned(Map.of("fleet", "x"), "exited", now, now), "not ours");
    }
}
