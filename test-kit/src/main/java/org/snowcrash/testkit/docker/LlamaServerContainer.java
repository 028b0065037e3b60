package org.snowcrash.testkit.docker;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real llama-server from the test image ({@value #DEFAULT_IMAGE}, or {@code SNOWCRASH_TEST_IMAGE}),
 * run with the {@code docker} command: a GPU server stand-in for tests and the benchmark's
 * baseline. {@link Builder#start()} returns once {@code /health} says 200 (polled, as llama-server's
 * own clients do, and failing at once with the server's log if the container exits), and
 * {@link #close()} removes the container. Every container carries this JVM's run label, so
 * {@link #removeOwn()} and {@link #containers()} see only this run's (other runs share the engine);
 * the Docker backend's tests put the same label on the containers the backend starts
 * ({@link #RUN_LABEL}={@link #RUN}). Tests that use it are marked {@link RequiresLlamaServer}.
 */
public final class LlamaServerContainer implements AutoCloseable {

    /** The test image when {@code SNOWCRASH_TEST_IMAGE} is not set, built by {@code .ci/llama-image.sh}. */
    public static final String DEFAULT_IMAGE = "snowcrash/llama-server:sid";
    /** The test image. */
    public static final String IMAGE = Optional.ofNullable(System.getenv("SNOWCRASH_TEST_IMAGE")).orElse(DEFAULT_IMAGE);
    /** The label every container of a test run carries; its value is {@link #RUN}. */
    public static final String RUN_LABEL = "snowcrash-test.run";
    /** This JVM's run id. */
    public static final String RUN = UUID.randomUUID().toString();

    private final String id;
    private final String url;

    private LlamaServerContainer(String id, String url) {
        this.id = id;
        this.url = url;
    }

    /** A builder for a server of {@code model} (a GGUF file; its folder is mounted read-only at {@code /models}). */
    public static Builder of(Path model) {
        return new Builder(model);
    }

    /** The OpenAI base URL, {@code http(s)://127.0.0.1:<port>/v1}. */
    public String url() {
        return url;
    }

    /** Generations the server started ({@code launch_slot_} lines of its log): one per chat request it took. */
    public int generations() {
        String log = Sh.run("docker", "logs", id).output();
        return (int) log.lines().filter(l -> l.contains("launch_slot_")).count();
    }

    /** Removes the container; idempotent. */
    @Override
    public void close() {
        Sh.run("docker", "rm", "-f", id);
    }

    /** The ids of this run's containers, running or not. */
    public static List<String> containers() {
        String ids = Sh.run("docker", "ps", "-aq", "--filter", "label=" + RUN_LABEL + "=" + RUN).output().strip();
        return ids.isEmpty() ? List.of() : List.of(ids.split("\\s+"));
    }

    /** Removes every container this test JVM made, and only those (other runs may share the engine). */
    public static void removeOwn() {
        List<String> ids = containers();
        if (!ids.isEmpty()) {
            List<String> cmd = new ArrayList<>(List.of("docker", "rm", "-f"));
            cmd.addAll(ids);
            Sh.run(cmd);
        }
    }

    /** A TCP port free on this host now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Options of one server; {@link #start()} runs it and waits until {@code /health} says 200. Not thread-safe. */
    public static final class Builder {
        private final Path model;
        private String image = IMAGE;
        private String name;
        private String alias = "demo";
        private String apiKey;
        private Path cert;
        private Path key;
        private Path caForHealth;
        private int ctx = 512;
        private int port;
        private boolean hostNetwork;
        private int threads = 1;
        private String memory;
        private Duration startup = Duration.ofSeconds(90);
        private final List<String> extra = new ArrayList<>();

        private Builder(Path model) {
            this.model = model.toAbsolutePath();
        }

        /** The image to run ({@link #IMAGE}). */
        public Builder image(String i) { this.image = i; return this; }

        /** The container's name (none: Docker picks one); a container of that name is removed first. */
        public Builder name(String n) { this.name = n; return this; }

        /** The name it serves the model under ({@code --alias}, "demo"). */
        public Builder alias(String a) { this.alias = a; return this; }

        /** The key it demands ({@code --api-key}; none). */
        public Builder apiKey(String k) { this.apiKey = k; return this; }

        /** Serve https with this certificate and key (their folder is mounted); {@code ca} is trusted while waiting for it. */
        public Builder tls(Path certificate, Path privateKey, Path ca) {
            this.cert = certificate.toAbsolutePath();
            this.key = privateKey.toAbsolutePath();
            this.caForHealth = ca;
            return this;
        }

        /** Its context size ({@code -c}, 512). */
        public Builder contextSize(int c) { this.ctx = c; return this; }

        /** The port it listens on (a free one). */
        public Builder port(int p) { this.port = p; return this; }

        /**
         * Run on the host's network, listening on 127.0.0.1, instead of publishing the port on
         * loopback: no Docker proxy between client and server, as the benchmark's rows run.
         */
        public Builder hostNetwork() { this.hostNetwork = true; return this; }

        /**
         * Its generation threads ({@code -t}): 1 by default, as tests share a few cores; 0 leaves
         * llama-server's own choice, as the Docker backend does (the benchmark's baselines).
         */
        public Builder threads(int t) { this.threads = t; return this; }

        /** A memory limit, e.g. {@code 2g} (swap limited to the same). */
        public Builder memory(String m) { this.memory = m; return this; }

        /** How long {@link #start()} waits for {@code /health} (90 s). */
        public Builder startupTimeout(Duration d) { this.startup = d; return this; }

        /** More server flags; files they name must be in the model's folder, mounted at {@code /models}. */
        public Builder args(String... a) { this.extra.addAll(List.of(a)); return this; }

        /** Runs the container and waits until it is healthy; removes it again if it never is. */
        public LlamaServerContainer start() throws Exception {
            int p = port != 0 ? port : freePort();
            if (name != null) {
                Sh.run("docker", "rm", "-f", name);
            }
            List<String> cmd = new ArrayList<>(List.of("docker", "run", "-d", "--label", RUN_LABEL + "=" + RUN,
                    "--user", uidGid(), "-v", model.getParent() + ":/models:ro"));
            if (name != null) {
                cmd.addAll(List.of("--name", name));
            }
            cmd.addAll(hostNetwork ? List.of("--network", "host") : List.of("-p", "127.0.0.1:" + p + ":" + p));
            if (memory != null) {
                cmd.addAll(List.of("--memory", memory, "--memory-swap", memory));
            }
            if (cert != null) {
                cmd.addAll(List.of("-v", cert.getParent() + ":/certs:ro"));
            }
            cmd.addAll(List.of(image, "--host", hostNetwork ? "127.0.0.1" : "0.0.0.0", "--port", String.valueOf(p), "-m",
                    "/models/" + model.getFileName(), "--alias", alias, "-c", String.valueOf(ctx), "--metrics"));
            if (threads > 0) {
                cmd.addAll(List.of("-t", String.valueOf(threads)));
            }
            cmd.addAll(extra);
            if (apiKey != null) {
                cmd.addAll(List.of("--api-key", apiKey));
            }
            if (cert != null) {
                cmd.addAll(List.of("--ssl-cert-file", "/certs/" + cert.getFileName(), "--ssl-key-file", "/certs/" + key.getFileName()));
            }
            String id = Sh.must(cmd.toArray(new String[0])).strip();
            String scheme = cert != null ? "https" : "http";
            LlamaServerContainer c = new LlamaServerContainer(id, scheme + "://127.0.0.1:" + p + "/v1");
            try {
                awaitHealthy(scheme + "://127.0.0.1:" + p + "/health", id);
            } catch (Exception | AssertionError e) {
                c.close();
                throw e;
            }
            return c;
        }

        private void awaitHealthy(String health, String id) throws Exception {
            HttpClient.Builder hb = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
            if (caForHealth != null) {
                hb.sslContext(trusting(caForHealth));
            }
            Health.await(hb.build(), URI.create(health), () -> Sh.run("docker", "inspect", "--format", "{{.State.Running}}", id)
                    .output().strip().equals("true") ? null : Sh.run("docker", "logs", id).output(), startup);
        }
    }

    /** An SSL context that trusts the CA in a PEM file (for waiting on an https server). */
    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** The calling user's {@code uid:gid}: the server then reads exactly the files the caller wrote. */
    private static String uidGid() {
        com.sun.security.auth.module.UnixSystem u = new com.sun.security.auth.module.UnixSystem();
        return u.getUid() + ":" + u.getGid();
    }
}
