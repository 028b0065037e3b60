package org.snowcrash.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.snowcrash.testkit.Skip;


/**
 * Runs the node scripts in {@code src/test/node} (real npm clients: the openai package, and
 * playwright-core driving Debian's chromium). Their packages are installed by
 * {@code .ci/browser.sh}; without node, the packages or chromium a test skips loudly, and fails
 * instead under {@code SNOWCRASH_REQUIRE_DOCKER=true}, as CI runs it.
 */
final class Node {

    static final Path DIR = Path.of(System.getProperty("snowcrash.test.node", "src/test/node"));
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    record Result(int exitCode, String out, String err) {
    }

    private Node() {
    }

    /** Skips (or fails under CI) when node or the named npm packages are missing. */
    static void require(String... packages) {
        List<String> missing = new ArrayList<>();
        if (executable().isEmpty()) {
            missing.add("node");
        }
        for (String p : packages) {
            if (!Files.isDirectory(DIR.resolve("node_modules").resolve(p))) {
                missing.add("npm package " + p + " (run .ci/browser.sh, or npm ci in " + DIR + ")");
            }
        }
        if (List.of(packages).contains("playwright-core") && !Files.isExecutable(CHROMIUM)) {
            missing.add(CHROMIUM + " (apt-get install chromium, or run .ci/browser.sh)");
        }
        Skip.unless("no " + String.join(", no ", missing),
                missing.isEmpty() ? "" : "the client test cannot run without " + String.join(", ", missing));
    }

    static Optional<Path> executable() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, "node");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Runs {@code node script args...} in the node folder and returns what it printed. */
    static Result run(Duration limit, String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(executable().orElseThrow().toString(), script));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("node-out", ".txt");
        Path err = Files.createTempFile("node-err", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).directory(DIR.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(script + " did not end within " + limit + "; stderr: "
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
