package org.snowcrash.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.backend.docker.DockerCondition;
import org.snowcrash.backend.docker.RequiresDocker;

/**
 * The demo model acts through the real {@code snowcrash chat}: spoken commands become calls of the
 * robot tools with exactly the asked arguments (shown on stderr with their results), a greeting is
 * answered in text with no call, and after a result the model says what was done. In-process and
 * on Docker, with the trained demo model (greedy answers, so the assertions are exact).
 */
class ChatToolsTest {

    private static final String QUESTIONS = """
            Please drive forward three meters
            Hello!
            Could you turn right 45 degrees?
            """;

    @TempDir
    Path dir;

    @Test
    void theDemoModelCallsTheRobotToolsInProcess() throws Exception {
        check(session("--backend", "llamacpp"), "llamacpp");
    }

    @Test
    @RequiresDocker
    void theDemoModelCallsTheRobotToolsOnDocker() throws Exception {
        String container = "snowcrash-clitools-" + ProcessHandle.current().pid();
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        check(session("--backend", "docker", "-D", "backend.docker.image=" + DockerCondition.IMAGE, "-D", "backend.docker.gpu=off",
                "-D", "model.demo.container=" + container, "-D", "model.demo.port=" + port), "docker");
    }

    /** Runs one chat session over the questions; returns {stdout, stderr}. */
    private String[] session(String... extra) throws Exception {
        Path in = Files.writeString(dir.resolve("questions.txt"), QUESTIONS);
        List<String> args = new ArrayList<>(List.of("chat", "--model", "demo", "--max-tokens", "48"));
        args.addAll(List.of(extra));
        Process p = Cli.builder(dir, Map.of(), List.of(), args.toArray(new String[0]))
                .redirectInput(in.toFile()).redirectError(dir.resolve("err.txt").toFile())
                .redirectOutput(dir.resolve("out.txt").toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the session ends at the end of its input");
        String err = Files.readString(dir.resolve("err.txt"));
        assertEquals(0, p.exitValue(), err);
        return new String[] {Files.readString(dir.resolve("out.txt")), err};
    }

    private static void check(String[] outErr, String backend) {
        String out = outErr[0];
        String err = outErr[1];
        assertTrue(err.lines().anyMatch(l -> l.equals("served-by: " + backend)), err);
        List<String> tools = err.lines().filter(l -> l.startsWith("tool: ") || l.startsWith("result: ")).toList();
        assertEquals(List.of(
                "tool: move {\"direction\":\"forward\",\"meters\":3}",
                "result: would move forward 3 meters",
                "tool: turn {\"direction\":\"right\",\"degrees\":45}",
                "result: would turn right 45 degrees"), tools, err);
        List<String> answers = out.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(3, answers.size(), out);
        assertTrue(answers.get(0).contains("forward 3 meters"), answers.get(0));
        assertTrue(answers.get(1).startsWith("Hello"), answers.get(1));
        assertTrue(answers.get(2).contains("right 45 degrees"), answers.get(2));
        assertTrue(err.lines().noneMatch(l -> l.startsWith("rejected: ") || l.startsWith("error: ")), err);
        // Between answers only what the conversation did is printed: a running model's housekeeping
        // (the slot cache saved after each turn on Docker) is not; progress lines come only while starting.
        int ready = err.lines().toList().indexOf("served-by: " + backend);
        assertTrue(err.lines().skip(ready + 1).noneMatch(l -> l.startsWith("  ")), err);
    }
}
