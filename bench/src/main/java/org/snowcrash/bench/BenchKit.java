package org.snowcrash.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.testkit.docker.LlamaServerContainer;

/**
 * What several rows need: a free port, the Docker backend's settings for one model, a bench
 * model spec, a plain llama-server container for a baseline, {@code docker} commands, and the
 * alternation of a framework measurement with its baseline.
 */
final class BenchKit {

    /** One timed measurement: the milliseconds (or other figure) it yields. */
    interface Timed {
        double run() throws Exception;
    }

    private BenchKit() {
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The Docker backend's settings, with the model's own container keys (its port and name). */
    static Settings dockerSettings(String image, ModelSpec spec, String container, int port) {
        return Settings.of(Map.of("backend.docker.image", image, "backend.docker.pull", "never",
                "backend.docker.gpu", "off", "model." + spec.id() + ".port", String.valueOf(port),
                "model." + spec.id() + ".container", container, "model." + spec.id() + ".memory", "2g"), "bench");
    }

    static Settings dockerSettings(String image, ModelSpec spec, String container) throws IOException {
        return dockerSettings(image, spec, container, freePort());
    }

    /** A model spec named after its container (without the {@code snowcrash-bench-} prefix). */
    static ModelSpec spec(Path model, String name, int ctx) {
        return ModelSpec.builder(name.replace("snowcrash-bench-", ""), model).contextSize(ctx)
                .startupTimeout(Duration.ofSeconds(120)).build();
    }

    /**
     * Starts a plain llama-server container (no key, llama-server's own thread count) publishing
     * {@code port} on loopback, and waits until {@code /health} says 200; closing it removes it.
     */
    static LlamaServerContainer startPlainServer(String image, Path work, String name, int port, String model, int ctx) throws Exception {
        return LlamaServerContainer.of(work.resolve(model)).image(image).name(name).port(port).threads(0)
                .contextSize(ctx).startupTimeout(Duration.ofSeconds(120)).args("-b", "128").start();
    }

    /**
     * A llama-server container started as a user would start it, {@code docker run}, with the flags
     * the Docker backend passes that matter for speed ({@code -ngl -c -b -np --cache-ram}, the last at
     * the backend's own choice for a 2 GiB container), on the host network like the rows' own models.
     */
    static LlamaServerContainer plainServer(String image, Path model, String name, int port, int context, int parallel)
            throws Exception {
        return LlamaServerContainer.of(model).image(image).name(name).port(port).hostNetwork().memory("2g").threads(0)
                .contextSize(context).startupTimeout(Duration.ofSeconds(120))
                .args("-ngl", "8", "-b", "128", "-np", String.valueOf(parallel), "--cache-ram", "512").start();
    }

    /** {@code docker rm -f}: gone whether it ran, stopped or never existed. */
    static void removeContainer(String name) throws Exception {
        new ProcessBuilder("docker", "rm", "-f", name).redirectErrorStream(true).start().waitFor();
    }

    /** Runs {@code docker} with these arguments; a failure is an error except for {@code rm}. */
    static void docker(String... args) throws Exception {
        run(true, !args[0].equals("rm"), args);
    }

    /** A docker command's standard output; fails with its output when the command does. */
    static String dockerOutput(String... args) throws Exception {
        return run(false, true, args);
    }

    /** Runs {@code docker}; its output (with its errors when {@code withErrors}), failing on a non-zero exit when {@code strict}. */
    private static String run(boolean withErrors, boolean strict, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (withErrors) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0 && strict) {
            throw new IllegalStateException("docker " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    /**
     * One round of a framework measurement and its baseline, the framework first in even rounds and
     * the baseline first in odd ones, so neither always runs on a warmer machine: {framework, baseline}.
     */
    static double[] alternate(int round, Timed framework, Timed baseline) throws Exception {
        List<Double> r = alternate(round, (Run<Double>) framework::run, baseline::run);
        return new double[] {r.get(0), r.get(1)};
    }

    /** One measurement that yields what it saw. */
    interface Run<T> {
        T run() throws Exception;
    }

    /** {@link #alternate(int, Timed, Timed)} for any result: {framework's, baseline's}. */
    static <T> List<T> alternate(int round, Run<T> framework, Run<T> baseline) throws Exception {
        T f;
        T b;
        if (round % 2 == 0) {
            f = framework.run();
            b = baseline.run();
        } else {
            b = baseline.run();
            f = framework.run();
        }
        return List.of(f, b);
    }
}
