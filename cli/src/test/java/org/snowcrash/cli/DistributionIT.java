package org.snowcrash.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged distribution ({@code target/snowcrash/bin/snowcrash} + {@code lib/}) as users get
 * it: the README's chat runs through the real start script, and a backend jar dropped into
 * {@code lib/} is found and used. Runs after {@code package} (failsafe).
 */
class DistributionIT {

    private static final Path DIST = Path.of("target", "snowcrash").toAbsolutePath();

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private Run run(Path home, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(home.resolve("bin/snowcrash").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile())
                .redirectInput(new File("/dev/null"));
        pb.environment().keySet().removeIf(k -> k.startsWith("SNOWCRASH_") || k.equals("DOCKER_HOST"));
        Process p = pb.start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the command ends by itself");
        return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt")), Files.readString(dir.resolve("err.txt")));
    }

    @Test
    void theStartScriptChatsWithTheDemoModel() throws Exception {
        Run r = run(DIST, "chat", "--model", "demo", "--prompt", "hello", "--max-tokens", "16",
                "-D", "backend.docker.host=unix:///nonexistent/docker.sock");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().lines().anyMatch("served-by: llamacpp"::equals), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("fallback: docker: ")), r.err());
    }

    @Test
    void aBackendJarDroppedIntoLibIsFoundAndServes() throws Exception {
        Path home = dir.resolve("snowcrash");
        copy(DIST, home);
        Files.copy(echoBackendJar(home.resolve("lib")), home.resolve("lib/snowcrash-backend-echo.jar"));
        Run list = run(home, "backends", "-D", "backend.docker.host=unix:///nonexistent/docker.sock");
        assertTrue(list.out().lines().anyMatch("echo priority=99 available"::equals), list.out() + list.err());
        assertTrue(list.out().startsWith("echo "), "its priority puts it first:\n" + list.out());
        // A plain chat backend (it declares no tools), so the chat offers none.
        Run chat = run(home, "chat", "--model", "demo", "--tools", "none", "--prompt", "ping");
        assertEquals(0, chat.code(), chat.err());
        assertTrue(chat.err().lines().anyMatch("served-by: echo"::equals), chat.err());
        assertTrue(chat.out().contains("echo: ping"), chat.out());
    }

    /** Compiles and packs a tiny third-party backend against the distribution's api jar. */
    private Path echoBackendJar(Path lib) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src/com/example"));
        Files.writeString(src.resolve("EchoBackend.java"), String.join("\n",
                "package com.example;",
                "import org.snowcrash.api.*;",
                "import java.time.Duration;",
                "import java.util.List;",
                "public final class EchoBackend implements LlmBackend {",
                "  public String id() { return \"echo\"; }",
                "  public int defaultPriority() { return 99; }",
                "  public Availability availability(BackendContext c) { return Availability.available(); }",
                "  public ModelSession start(ModelSpec spec, BackendContext c) {",
                "    return new ModelSession() {",
                "      public SessionInfo info() { return new SessionInfo(\"echo\", spec.id(), spec.contextSize(), \"echo\"); }",
                "      public ChatResponse chat(ChatRequest r) { return stream(r, p -> { }, new Cancellation()); }",
                "      public ChatResponse stream(ChatRequest r, TokenSink s, Cancellation c) {",
                "        String t = \"echo: \" + r.messages().get(r.messages().size() - 1).content();",
                "        s.accept(t);",
                "        return new ChatResponse(t, FinishReason.STOP, new Usage(1, 1), Duration.ZERO);",
                "      }",
                "      public int countPromptTokens(List<ChatMessage> m) { return 1; }",
                "      public boolean isAlive() { return true; }",
                "      public void close() { }",
                "    };",
                "  }",
                "}"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        String api;
        try (Stream<Path> s = Files.list(lib)) {
            api = s.filter(p -> p.getFileName().toString().startsWith("snowcrash-api-")).findFirst().orElseThrow().toString();
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), "-cp", api,
                src.resolve("EchoBackend.java").toString()), "the example backend compiles");
        Path jar = dir.resolve("echo.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/services/org.snowcrash.api.LlmBackend"));
            out.write("com.example.EchoBackend\n".getBytes(StandardCharsets.UTF_8));
            try (Stream<Path> s = Files.walk(classes)) {
                for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                    out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace(File.separatorChar, '/')));
                    Files.copy(p, (OutputStream) out);
                }
            }
        }
        return jar;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
