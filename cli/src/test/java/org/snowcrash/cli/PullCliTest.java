package org.snowcrash.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.testkit.TinyLlama;

/** {@code snowcrash pull} end to end, in a child process, against a real HTTP hub on loopback. */
class PullCliTest {

    private static final String NO_DOCKER = "backend.docker.host=unix:///nonexistent/docker.sock";
    private static final String LLAMA_FILE = "models/llama3.2/Llama-3.2-3B-Instruct-Q4_K_M.gguf";

    @TempDir
    Path dir;
    private byte[] model;
    private TestHub hub;

    @BeforeEach
    void start() throws Exception {
        Path m = dir.resolve("tiny.gguf");
        TinyLlama.demo().write(m);
        model = Files.readAllBytes(m);
        Files.delete(m);
        hub = new TestHub(model, "hf_cli_token");
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private String[] pull(String source, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("pull", "llama", "-D", "snowcrash.hub.url=" + hub.url(),
                "-D", "model.llama.source=" + source));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void pullFetchesTheCatalogFileWithPlainProgressThenChatRunsIt() throws Exception {
        Cli.Result r = Cli.run(dir, Map.of("HF_TOKEN", "hf_cli_token"), List.of(), Duration.ofSeconds(60),
                pull("hf:acme/gated-GGUF/tiny.gguf"));
        assertEquals(0, r.exitCode(), r.err());
        assertArrayEquals(model, Files.readAllBytes(dir.resolve(LLAMA_FILE)));
        assertFalse(Files.exists(dir.resolve(LLAMA_FILE + ".part")));
        assertTrue(r.out().startsWith("pulled llama: " + dir.resolve(LLAMA_FILE).toRealPath() + " (" + model.length
                + " bytes, sha256 " + hub.sha256() + " verified)"), r.out());
        assertTrue(r.err().startsWith("pulling llama (hf:acme/gated-GGUF/tiny.gguf@main) from " + hub.url()
                + "/acme/gated-GGUF/resolve/main/tiny.gguf with the token in HF_TOKEN\n"), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.matches(" {2}100% \\d+(\\.\\d+)? KiB of \\d+(\\.\\d+)? KiB, .*/s")), r.err());
        assertFalse(r.err().contains("\r") || r.err().contains("\u001b"), "no terminal control off a terminal: " + r.err());
        assertTrue(hub.hubRequests().stream().allMatch(s -> "Bearer hf_cli_token".equals(s.authorization())), hub.requests.toString());
        assertEquals(1, hub.storageRequests().size(), hub.requests.toString());
        assertEquals(null, hub.storageRequests().get(0).authorization(), "the token stayed on the hub's host");

        Cli.Result again = Cli.run(dir, Map.of("HF_TOKEN", "hf_cli_token"), List.of(), Duration.ofSeconds(60),
                pull("hf:acme/gated-GGUF/tiny.gguf"));
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.out().startsWith("already present: "), again.out());
        assertEquals(1, hub.storageRequests().size(), "nothing downloaded again");

        Cli.Result chat = Cli.run(dir, "chat", "--model", "llama", "--prompt", "hello", "--max-tokens", "4", "-D", NO_DOCKER);
        assertEquals(0, chat.exitCode(), chat.err());
        assertTrue(chat.err().lines().anyMatch(l -> l.equals("served-by: llamacpp")), chat.err());
    }

    @Test
    void chatOnAMissingCatalogFilePrintsThePullCommand() throws Exception {
        Cli.Result r = Cli.run(dir, "chat", "--model", "phi-3", "--prompt", "hi", "-D", NO_DOCKER);
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("the file does not exist; download it with: snowcrash pull phi-3"), r.err());
        Cli.Result models = Cli.run(dir, "models");
        assertTrue(models.out().contains("-b 128: missing (get it with: snowcrash pull gemma)"), models.out());
    }

    @Test
    void pullRefusalsExitWithFourAndSayWhatToDo() throws Exception {
        Cli.Result gated = Cli.run(dir, Map.of(), List.of(), Duration.ofSeconds(60), pull("hf:acme/gated-GGUF/tiny.gguf"));
        assertEquals(4, gated.exitCode(), gated.err());
        assertTrue(gated.err().contains("snowcrash: pull llama: the hub answered 401 for " + hub.url()
                + "/acme/gated-GGUF/resolve/main/tiny.gguf: the repository is gated or private: set HF_TOKEN"), gated.err());
        Cli.Result missing = Cli.run(dir, Map.of(), List.of(), Duration.ofSeconds(60), pull("hf:acme/none/x.gguf@v9"));
        assertEquals(4, missing.exitCode(), missing.err());
        assertTrue(missing.err().contains("nothing at " + hub.url() + "/acme/none/resolve/v9/x.gguf (404)"), missing.err());
        assertFalse(missing.err().contains("\tat "), "no stack trace");
        assertFalse(Files.exists(dir.resolve("models/llama3.2")), "a refusal writes nothing");
    }

    @Test
    void pullOfTheDemoOrOfAModelWithoutSourceOrWithABadSource() throws Exception {
        Cli.Result demo = Cli.run(dir, "pull", "demo");
        assertEquals(0, demo.exitCode(), demo.err());
        assertTrue(demo.out().startsWith("model 'demo' needs no download: it comes with snowcrash itself"), demo.out());
        Cli.Result mine = Cli.run(dir, "pull", "mine", "-D", "model.mine.file=mine/x.gguf");
        assertEquals(2, mine.exitCode(), mine.err());
        assertTrue(mine.err().contains("model 'mine' has no source to download it from; set model.mine.source="
                + "hf:<owner>/<repo>/<file>[@<revision>]"), mine.err());
        Cli.Result bad = Cli.run(dir, "pull", "llama", "-D", "model.llama.source=http://x/y");
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("model.llama.source=http://x/y (from command line): 'http://x/y' is not a hub source"), bad.err());
        Cli.Result key = Cli.run(dir, "pull", "llama", "-D", "snowcrash.hub.read-timout=1s");
        assertEquals(2, key.exitCode(), key.err());
        assertTrue(key.err().contains("snowcrash.hub.read-timout=1s (from command line): unknown key; did you mean snowcrash.hub.read-timeout?"),
                key.err());
        Cli.Result unknown = Cli.run(dir, "pull", "gpt");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("unknown model 'gpt'"), unknown.err());
    }

    @Test
    void ctrlCLeavesAResumablePartialFileAndTheSameCommandResumes() throws Exception {
        hub.bytesPerSecond = 64 * 1024;
        Path part = dir.resolve(LLAMA_FILE + ".part");
        Path err = dir.resolve("err.txt");
        Process p = Cli.builder(dir, Map.of(), List.of(), pull("hf:acme/tiny-GGUF/tiny.gguf"))
                .redirectError(err.toFile()).redirectOutput(dir.resolve("out.txt").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(part) || Files.size(part) < 48 * 1024) {
            assertTrue(p.isAlive(), "the pull ended too early: " + Files.readString(err));
            assertTrue(System.nanoTime() < deadline, "the partial file did not grow");
            Thread.sleep(10);
        }
        new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the process ends after Ctrl-C");
        assertEquals(130, p.exitValue());
        long kept = Files.size(part);
        assertTrue(kept > 0 && kept < model.length, "kept " + kept);
        String printed = Files.readString(err);
        assertTrue(printed.contains("snowcrash: pull llama: interrupted; " + kept + " bytes are kept in " + part.toRealPath()
                + " and running the same command again resumes"), printed);

        hub.bytesPerSecond = 0;
        Cli.Result r = Cli.run(dir, Map.of(), List.of(), Duration.ofSeconds(60), pull("hf:acme/tiny-GGUF/tiny.gguf"));
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains(", resumed at byte " + kept + ")"), r.out());
        TestHub.Seen resumed = hub.storageRequests().get(hub.storageRequests().size() - 1);
        assertEquals("bytes=" + kept + "-", resumed.range());
        assertEquals(206, resumed.status());
        assertArrayEquals(model, Files.readAllBytes(dir.resolve(LLAMA_FILE)));
    }
}
