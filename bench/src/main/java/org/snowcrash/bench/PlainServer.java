package org.snowcrash.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

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
        HttpClient http = HttpClient.newHttpClient();
        URI health = URI.create("http://127.0.0.1:" + port + "/health");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return s;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(20);
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
