package org.snowcrash.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.testkit.docker.LlamaServerContainer;
import org.snowcrash.testkit.docker.RequiresLlamaServer;
import org.snowcrash.testkit.TinyLlama;

/**
 * The command with a remote server configured: a real llama-server (the test image, on loopback)
 * serves the chat before Docker and in-process are tried; a wrong key falls back with the
 * endpoint's answer on the fallback line. Across hosts, with links cut: {@code CliRemoteAcrossHostsTest}.
 */
@RequiresLlamaServer
class CliRemoteTest {

    private static final String KEY = "cli-test-key";
    private static final String NO_DOCKER = "backend.docker.host=unix:///nonexistent/docker.sock";

    @TempDir
    static Path serverDir;

    @TempDir
    Path dir;

    private static LlamaServerContainer server;

    @BeforeAll
    static void server() throws Exception {
        Path model = serverDir.resolve("demo.gguf");
        TinyLlama.demo().write(model);
        server = LlamaServerContainer.of(model).alias("demo").apiKey(KEY).start();
    }

    @AfterAll
    static void stop() {
        LlamaServerContainer.removeOwn();
    }

    private Cli.Result chat(String key) throws Exception {
        return Cli.run(dir, Map.of(), List.of(), Duration.ofSeconds(120), "chat", "--model", "demo", "--prompt", "hello",
                "--max-tokens", "8", "-D", "backend.remote.endpoints=" + server.url(), "-D", "backend.remote.api-key=" + key,
                "-D", NO_DOCKER);
    }

    @Test
    void aHealthyRemoteServesTheChat() throws Exception {
        int before = server.generations();
        Cli.Result r = chat(KEY);
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().lines().anyMatch("served-by: remote"::equals), r.err());
        assertFalse(r.err().contains("fallback: remote"), r.err());
        assertFalse(r.out().isBlank(), "the answer was printed");
        assertEquals(before + 1, server.generations(), "answered by the server, once");
    }

    @Test
    void aWrongKeyFallsBackSayingWhatTheEndpointAnswered() throws Exception {
        Cli.Result r = chat("wrong-key-7f3a");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().lines().anyMatch(("fallback: remote: the endpoint cannot serve the model: " + server.url()
                + ": 401 Invalid API Key (set backend.remote.api-key to a key it accepts)")::equals), r.err());
        assertTrue(r.err().lines().anyMatch("served-by: llamacpp"::equals), r.err());
        assertFalse(r.err().contains("wrong-key-7f3a") || r.out().contains("wrong-key-7f3a"), "the key is never printed");
    }

    @Test
    void backendsListsItFirstWhenConfigured() throws Exception {
        Files.writeString(dir.resolve("snowcrash.properties"), "backend.remote.endpoints=" + server.url() + "\n");
        Cli.Result r = Cli.run(dir, "backends", "-D", NO_DOCKER);
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("remote priority=30 available\n"), r.out());
        Files.delete(dir.resolve("snowcrash.properties"));
        Cli.Result unconfigured = Cli.run(dir, "backends", "-D", NO_DOCKER);
        assertTrue(unconfigured.out().startsWith("remote priority=30 not configured (not tried): set"
                + " backend.remote.endpoints to the base URLs of OpenAI-compatible servers"), unconfigured.out());
    }
}
