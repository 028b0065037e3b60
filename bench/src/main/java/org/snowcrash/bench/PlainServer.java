package org.snowcrash.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A llama-server container started as a user would start it, {@code docker run}, with the flags
 * the Docker backend passes that matter for speed ({@code -ngl -c -b -np --cache-ram}, the last at
 * the backend's own choice for a 2 GiB container), on the host network like the rows' own models.
 */
final class PlainServer implements AutoCloseable {

    private final String name;

    private PlainServer(String name) {
        this.name = name;
    }

    static PlainServer start(String image, Path model, String name, int port, int context, int parallel) throws Exception {
        docker("rm", "-f", name);
        String out = docker("run", "-d", "--rm", "--name", name, "--memory", "2g", "--memory-swap", "2g",
                "--network", "host", "-v", model.getParent() + ":/models:ro", image,
                "--host", "127.0.0.1", "--port", String.valueOf(port), "-m", "/models/" + model.getFileName(),
                "-ngl", "8", "-c", String.valueOf(context), "-b", "128", "-np", String.valueOf(parallel),
                "--cache-ram", "512");
        if (out == null) {
            throw new IllegalStateException("docker run " + name + " failed");
        }
        PlainServer s = new PlainServer(name);
        if (Health.await(URI.create("http://127.0.0.1:" + port + "/health"), System.nanoTime(),
                Duration.ofSeconds(120), Duration.ofMillis(20))) {
            return s;
        }
        s.close();
        throw new IllegalStateException(name + " did not become ready");
    }

    /** The command's output, or null when it failed. */
    private static String docker(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "docker";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? out : null;
    }

    @Override
    public void close() throws Exception {
        docker("rm", "-f", name);
    }
}
