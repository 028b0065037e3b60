package org.snowcrash.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.testkit.TinyLlama;

/** The snowcrash command as a user runs it, in a child process; no Docker needed here. */
class CliTest {

    private static final String NO_DOCKER = "backend.docker.host=unix:///nonexistent/docker.sock";

    @TempDir
    Path dir;

    @Test
    void chatAnswersInProcessAndTheProcessEndsByItself() throws Exception {
        Cli.Result r = Cli.run(dir, "chat", "--model", "demo", "--prompt", "hello", "--max-tokens", "16", "-D", NO_DOCKER);
        assertTrue(r.endedByItself(), "the process ends when done; stderr: " + r.err());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.equals("served-by: llamacpp")), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("fallback: docker: no Docker engine: /nonexistent/docker.sock")), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("fallback:")).count(),
                "only the backend that was expected and failed is a fallback, never the unconfigured remote one: " + r.err());
        assertFalse(r.out().isBlank(), "tokens were printed");
        assertTrue(Files.exists(dir.resolve("models/demo/snowcrash-demo.gguf")), "demo model written under ./models");
    }

    @Test
    void interactiveChatReadsQuestionsUntilEndOfInput() throws Exception {
        Path in = Files.writeString(dir.resolve("questions.txt"), "first question\n\nsecond question\n");
        Process p = Cli.builder(dir, Map.of(), List.of(), "chat", "--model", "demo", "--max-tokens", "4", "--backend", "llamacpp")
                .redirectInput(in.toFile()).redirectError(dir.resolve("err.txt").toFile()).redirectOutput(dir.resolve("out.txt").toFile())
                .start();
        assertTrue(p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        String err = Files.readString(dir.resolve("err.txt"));
        List<String> usage = err.lines().filter(l -> l.contains("completion tokens")).toList();
        assertEquals(2, usage.size(), err);
        java.util.regex.Pattern line = java.util.regex.Pattern.compile(
                "\\[(\\d+) prompt \\((\\d+) cached\\) \\+ (\\d+) completion tokens, [0-9.]+ tok/s, (stop|length)\\]");
        java.util.regex.Matcher first = line.matcher(usage.get(0));
        java.util.regex.Matcher second = line.matcher(usage.get(1));
        assertTrue(first.matches() && second.matches(), usage.toString());
        assertEquals(first.group(1), second.group(2), "the second prompt begins with the whole first one, taken from the cache: " + usage);
        assertEquals(1, err.lines().filter(l -> l.equals("served-by: llamacpp")).count(), "started once, before the first question");
    }

    @Test
    void aFailedTurnEndsAOneShotWithOneButNotASession() throws Exception {
        String tooLong = "word ".repeat(700); // more tokens than the demo model's 512-token context
        Cli.Result once = Cli.run(dir, "chat", "--model", "demo", "--backend", "llamacpp", "--prompt", tooLong);
        assertEquals(1, once.exitCode(), once.err());
        assertTrue(once.err().contains("but the context holds 512"), once.err());

        Path in = Files.writeString(dir.resolve("questions.txt"), tooLong + "\nsecond question\n");
        Process p = Cli.builder(dir, Map.of(), List.of(), "chat", "--model", "demo", "--max-tokens", "4", "--backend", "llamacpp")
                .redirectInput(in.toFile()).redirectError(dir.resolve("err.txt").toFile()).redirectOutput(dir.resolve("out.txt").toFile())
                .start();
        assertTrue(p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS));
        String err = Files.readString(dir.resolve("err.txt"));
        assertEquals(0, p.exitValue(), err);
        List<String> errors = err.lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, errors.size(), err);
        assertTrue(errors.get(0).startsWith("error: ContextOverflow: llamacpp "), errors.get(0));
        assertEquals(1, err.lines().filter(l -> l.contains("completion tokens")).count(), "the next question was answered: " + err);
    }

    @Test
    void noBackendExitsWithThreeAndTheFullAttemptList() throws Exception {
        Cli.Result r = Cli.run(dir, "chat", "--prompt", "hi", "-D", NO_DOCKER, "-D", "backend.llamacpp.enabled=false");
        assertEquals(3, r.exitCode(), r.err());
        assertTrue(r.err().contains("no backend could start model 'demo'; tried in order:"), r.err());
        assertTrue(r.err().contains("1. remote priority=30: not configured (set backend.remote.endpoints"), r.err());
        assertTrue(r.err().contains("2. docker priority=20: unavailable: no Docker engine"), r.err());
        assertTrue(r.err().contains("3. llamacpp priority=10: disabled (backend.llamacpp.enabled=false)"), r.err());
    }

    @Test
    void anUnknownBackendOrModelIsAClearError() throws Exception {
        Cli.Result b = Cli.run(dir, "chat", "--prompt", "hi", "--backend", "onnx");
        assertEquals(2, b.exitCode());
        assertTrue(b.err().contains("no backend with id 'onnx' is on the classpath (found: remote, docker, llamacpp)"), b.err());
        Cli.Result m = Cli.run(dir, "chat", "--prompt", "hi", "--model", "gpt");
        assertEquals(2, m.exitCode());
        assertTrue(m.err().contains("unknown model 'gpt'; known models: llama, phi-3, gemma, demo"), m.err());
        Cli.Result missing = Cli.run(dir, "chat", "--prompt", "hi", "--model", "llama");
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().contains("Llama-3.2-3B-Instruct-Q4_K_M.gguf") && missing.err().contains("does not exist"), missing.err());
        assertFalse(missing.err().contains("\tat "), "no stack trace");
    }

    @Test
    void backendsPriorityFollowsTheDocumentedPrecedence() throws Exception {
        Files.writeString(dir.resolve("snowcrash.properties"), "backend.llamacpp.priority=5\n");
        assertTrue(line(Cli.run(dir, "backends", "-D", NO_DOCKER), "llamacpp").startsWith("llamacpp priority=5 available"));
        Map<String, String> env = Map.of("SNOWCRASH_BACKEND_LLAMACPP_PRIORITY", "6");
        Cli.Result e = Cli.run(dir, env, List.of(), Duration.ofSeconds(60), "backends", "-D", NO_DOCKER);
        assertTrue(line(e, "llamacpp").startsWith("llamacpp priority=6 "), e.out());
        Cli.Result s = Cli.run(dir, env, List.of("-Dbackend.llamacpp.priority=7"), Duration.ofSeconds(60), "backends", "-D", NO_DOCKER);
        assertTrue(line(s, "llamacpp").startsWith("llamacpp priority=7 "), s.out());
        Cli.Result f = Cli.run(dir, env, List.of("-Dbackend.llamacpp.priority=7"), Duration.ofSeconds(60), "backends",
                "-D", NO_DOCKER, "-D", "backend.llamacpp.priority=30");
        assertEquals(List.of("llamacpp", "remote", "docker"), Arrays.stream(f.out().split("\n")).map(l -> l.split(" ")[0]).toList(),
                "a higher priority moves it first (ties with remote's 30 go by id)");
        assertTrue(line(f, "docker").contains("unavailable: no Docker engine"), f.out());
    }

    @Test
    void aBadPriorityNamesKeyValueAndSource() throws Exception {
        Files.writeString(dir.resolve("snowcrash.properties"), "backend.llamacpp.priority=high\nbackend.docker.enabled=maybe\n");
        Cli.Result r = Cli.run(dir, "backends");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("backend.llamacpp.priority=high (from file " + dir.resolve("snowcrash.properties")), r.err());
        assertTrue(r.err().contains("backend.docker.enabled=maybe"), r.err());
    }

    @Test
    void inspectPrintsGgufFactsAndRejectsGarbage() throws Exception {
        Path model = dir.resolve("m.gguf");
        TinyLlama.demo().write(model);
        Cli.Result r = Cli.run(dir, "inspect", model.toString());
        assertEquals(0, r.exitCode(), r.err());
        for (String line : List.of("architecture: llama", "context length: 2048", "embedding length: 64", "block count: 2",
                "head count: 4", "vocabulary size: " + TinyLlama.vocabulary().size(), "tensor count: 21", "file type: 0 (F32)")) {
            assertTrue(r.out().lines().anyMatch(line::equals), line + " in\n" + r.out());
        }
        Path junk = Files.write(dir.resolve("junk.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Cli.Result bad = Cli.run(dir, "inspect", junk.toString());
        assertEquals(2, bad.exitCode());
        assertEquals(1, bad.err().lines().count(), bad.err());
        assertTrue(bad.err().contains("not a GGUF file"), bad.err());
        Cli.Result none = Cli.run(dir, "inspect", dir.resolve("none.gguf").toString());
        assertEquals(2, none.exitCode());
        assertTrue(none.err().contains("no such file"), none.err());
    }

    @Test
    void modelsListsTheCatalog() throws Exception {
        Cli.Result r = Cli.run(dir, "models");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("llama    llama3.2/Llama-3.2-3B-Instruct-Q4_K_M.gguf"), r.out());
        assertTrue(r.out().contains("phi3-mini/Phi-3-mini-4k-instruct-q4.gguf") && r.out().contains(" -ngl 8 -c 512 -b 128: missing"), r.out());
        assertTrue(r.out().contains("demo/snowcrash-demo.gguf"), r.out());
    }

    private static String line(Cli.Result r, String id) {
        return r.out().lines().filter(l -> l.startsWith(id + " ")).findFirst().orElse("(no line for " + id + " in: " + r.out() + r.err() + ")");
    }
}
