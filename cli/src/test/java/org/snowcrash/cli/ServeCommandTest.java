package org.snowcrash.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.backend.docker.DockerCondition;
import org.snowcrash.backend.docker.RequiresDocker;

/** {@code snowcrash serve} as a child process, as a user runs it: the key file, and SIGTERM's drain. */
class ServeCommandTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    /** Starts {@code snowcrash serve} and returns it with its stderr and the base URL it printed. */
    private record Served(Process process, Cli.Lines err, URI base) {
    }

    private Served serve(Map<String, String> env, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("serve", "--port", "0", "-D",
                "snowcrash.models.dir=" + dir.resolve("models")));
        args.addAll(List.of(more));
        Process p = Cli.builder(dir, env, List.of(), args.toArray(new String[0]))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Cli.Lines err = Cli.Lines.follow(p.getErrorStream());
        int i = err.await(l -> l.startsWith("listening: "), 0, Duration.ofSeconds(60));
        if (i < 0) {
            p.destroyForcibly().waitFor();
        }
        assertTrue(i >= 0, "serve started: " + err.all());
        String line = err.all().get(i);
        return new Served(p, err, URI.create(line.substring("listening: ".length(), line.indexOf(' ', "listening: ".length()))));
    }

    private static HttpResponse<String> get(URI base, String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void terminate(Process p) throws Exception {
        new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid())).start().waitFor();
    }

    @Test
    void theKeyIsGeneratedPrivateOnFirstStartPrintedWhereAndReused() throws Exception {
        Path config = dir.resolve("config");
        Map<String, String> env = Map.of("XDG_CONFIG_HOME", config.toString());
        Path keyFile = config.resolve("snowcrash/serve.key");
        String key = null;
        for (int start = 1; start <= 2; start++) {
            Served s = serve(env, "-D", "backend.docker.enabled=false");
            try {
                String said = s.err().all().stream().filter(l -> l.startsWith("api key: ")).findFirst().orElseThrow();
                if (start == 1) {
                    assertTrue(said.startsWith("api key: generated and stored in " + keyFile + " (0600)"), said);
                    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
                    key = Files.readString(keyFile).strip();
                } else {
                    assertTrue(said.startsWith("api key: from " + keyFile), said);
                    assertEquals(key, Files.readString(keyFile).strip(), "the same key on the second start");
                }
                String printedKey = Files.readString(keyFile).strip();
                assertTrue(s.err().all().stream().noneMatch(l -> l.contains(printedKey)), "the key itself is never printed");
                assertEquals(200, get(s.base(), "/v1/models", key).statusCode());
                assertEquals(401, get(s.base(), "/v1/models", null).statusCode());
                assertEquals(200, get(s.base(), "/health", null).statusCode(), "/health is public");
            } finally {
                terminate(s.process());
                assertTrue(s.process().waitFor(30, TimeUnit.SECONDS));
            }
            assertEquals(143, s.process().exitValue());
        }
    }

    @Test
    void preloadedModelsAreLoadedBeforeTheServerListens() throws Exception {
        Path config = dir.resolve("config");
        Served s = serve(Map.of("XDG_CONFIG_HOME", config.toString()), "-D", "backend.docker.enabled=false",
                "--preload", "demo");
        try {
            List<String> lines = s.err().all();
            int started = indexOf(lines, "starting: llamacpp (model demo)");
            int servedBy = indexOf(lines, "served-by: llamacpp (model demo)");
            int listening = indexOf(lines, "listening: ");
            assertTrue(started >= 0 && servedBy > started && listening > servedBy,
                    "demo was loaded, then the server listened: " + lines);
            String key = Files.readString(config.resolve("snowcrash/serve.key")).strip();
            String demo = get(s.base(), "/v1/models/demo", key).body();
            assertTrue(demo.contains("\"ready\""), demo);
        } finally {
            terminate(s.process());
            assertTrue(s.process().waitFor(30, TimeUnit.SECONDS));
        }
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    @RequiresDocker
    void sigtermDrainsTheRequestInFlightUpToTheBoundThenRemovesEveryContainer() throws Exception {
        String run = UUID.randomUUID().toString();
        String key = "drain-test-key-0123456789";
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Served s = serve(Map.of(), "-D", "serve.api-key=" + key, "-D", "serve.drain-timeout=5s",
                "-D", "backend.docker.image=" + DockerCondition.IMAGE, "-D", "backend.docker.gpu=off",
                "-D", "backend.docker.labels=snowcrash-test.run=" + run, "-D", "backend.llamacpp.enabled=false",
                "-D", "model.demo.container=snowcrash-servecli-" + ProcessHandle.current().pid(),
                "-D", "model.demo.port=" + port,
                // One slot and a generation that never ends by itself: only the bound can end it.
                "-D", "model.demo.parallel=1", "-D", "model.demo.args=--context-shift --ignore-eos");
        Process p = s.process();
        try {
            HttpRequest endless = HttpRequest.newBuilder(s.base().resolve("/v1/chat/completions"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"demo\",\"stream\":true,\"max_tokens\":1000000,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"go on forever\"}]}")).build();
            HttpResponse<java.io.InputStream> response = HTTP.send(endless, HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            Cli.Lines body = Cli.Lines.follow(response.body());
            assertTrue(body.await(l -> l.contains("\"content\":\""), 0, Duration.ofSeconds(120)) >= 0, "the answer flows");
            assertTrue(s.err().all().contains("served-by: docker (model demo)"), s.err().all().toString());

            terminate(p);
            int draining = s.err().await(l -> l.startsWith("draining: 1 request in flight"), 0, Duration.ofSeconds(30));
            assertTrue(draining >= 0, "the drain began with the request in flight: " + s.err().all());
            int seen = body.all().size();
            // Draining: the request in flight goes on, new ones are refused, /health says so.
            assertTrue(body.await(l -> l.contains("\"content\":\""), seen, Duration.ofSeconds(30)) >= 0,
                    "tokens still flow after SIGTERM");
            HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(s.base().resolve("/v1/chat/completions"))
                    .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("\"shutting_down\""), refused.body());
            HttpResponse<String> health = get(s.base(), "/health", null);
            assertEquals(503, health.statusCode());
            assertTrue(health.body().contains("draining"));

            // At the bound the request is cut, with an error the client can read, and the process ends.
            assertTrue(body.await(l -> l.contains("\"code\":\"shutting_down\""), seen, Duration.ofSeconds(60)) >= 0,
                    "the stream ends with a shutting_down error: " + tail(body.all()));
            assertTrue(s.err().await(l -> l.startsWith("draining: cutting 1 request still running after 5000 ms"), draining,
                    Duration.ofSeconds(30)) >= 0, s.err().all().toString());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process ended");
            assertEquals(143, p.exitValue());
            assertEquals("", docker("ps", "-aq", "--filter", "label=snowcrash-test.run=" + run), "no container left");
        } finally {
            p.destroyForcibly().waitFor();
            String left = docker("ps", "-aq", "--filter", "label=snowcrash-test.run=" + run);
            if (!left.isEmpty()) {
                docker(("rm -f " + left).split("\\s+"));
            }
        }
    }

    private static List<String> tail(List<String> lines) {
        return lines.subList(Math.max(0, lines.size() - 4), lines.size());
    }

    private static String docker(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return out;
    }
}
