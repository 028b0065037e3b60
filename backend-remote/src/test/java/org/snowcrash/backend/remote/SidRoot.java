package org.snowcrash.backend.remote;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.snowcrash.testkit.docker.Sh;
import org.snowcrash.testkit.docker.LlamaServerContainer;

/**
 * A root filesystem with llama-server in it, taken from the test image ({@code docker export} of
 * a container that is never started), so that a llama-server can run inside a network namespace
 * with {@code chroot}: a second host without a second debootstrap. Made once per test JVM and
 * deleted when it ends. Needs root (device nodes, chroot).
 */
public final class SidRoot {

    private static Path root;

    private SidRoot() {
    }

    /** The root folder, extracted on first use. */
    public static synchronized Path get() throws IOException {
        if (root != null) {
            return root;
        }
        Path dir = Files.createTempDirectory("snowcrash-sidroot-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Sh.run("rm", "-rf", "--one-file-system", dir.toString())));
        String id = Sh.must("docker", "create", "--label", LlamaServerContainer.RUN_LABEL + "=" + LlamaServerContainer.RUN,
                LlamaServerContainer.IMAGE).strip();
        try {
            Sh.must("sh", "-c", "docker export \"$1\" | tar -x -C \"$2\"", "export", id, dir.toString());
        } finally {
            Sh.run("docker", "rm", "-f", id);
        }
        if (!Files.isExecutable(dir.resolve("usr/bin/llama-server"))) {
            throw new IOException("no usr/bin/llama-server in the exported image at " + dir);
        }
        Files.createDirectories(dir.resolve("models"));
        root = dir;
        return dir;
    }

    /** Copies a model into the root's {@code /models} (once) and returns its path inside the root. */
    public static synchronized String install(Path model) throws IOException {
        Path target = get().resolve("models").resolve(model.getFileName());
        if (!Files.exists(target)) {
            Files.copy(model, target);
        }
        return "/models/" + model.getFileName();
    }
}
