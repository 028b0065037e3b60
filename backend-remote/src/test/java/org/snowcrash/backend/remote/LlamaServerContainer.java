package org.snowcrash.backend.remote;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * A real llama-server from the test image, run with the {@code docker} command and published on
 * loopback: a GPU server stand-in for tests that need no second host. Every container carries
 * this test run's label, so cleanup removes only this run's ({@link #removeOwn()}).
 */
public final class LlamaServerContainer implements AutoCloseable {

    /** The test image, built by {@code .ci/llama-image.sh}. */
    public static final String IMAGE = Optional.ofNullable(System.getenv("SNOWCRASH_TEST_IMAGE")).orElse("snowcrash/llama-server:sid");
    public static final String RUN_LABEL = "snowcrash-test.run";
    public static final String RUN = UUID.randomUUID().toString();

    private final String id;
    private final String url;

    private LlamaServerContainer(String id, String url) {
        this.id = id;
        this.url = url;
    }

    /** A builder for a server of {@code model} (a GGUF file; its folder is mounted read-only). */
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

    @Override
    public void close() {
        Sh.run("docker", "rm", "-f", id);
    }

    /** Removes every container this test JVM made, and only those (other runs may share the engine). */
    public static void removeOwn() {
        String ids = Sh.run("docker", "ps", "-aq", "--filter", "label=" + RUN_LABEL + "=" + RUN).output().strip();
        if (!ids.isEmpty()) {
            List<String> cmd = new ArrayList<>(List.of("docker", "rm", "-f"));
            cmd.addAll(List.of(ids.split("\\s+")));
            Sh.run(cmd);
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Options of one server; {@link #start()} runs it and waits until {@code /health} says 200. */
    public static final class Builder {
        private final Path model;
        private String alias = "demo";
        private String apiKey;
        private Path cert;
        private Path key;
        private Path caForHealth;
        private int ctx = 512;
        private final List<String> extra = new ArrayList<>();

        private Builder(Path model) {
            this.model = model.toAbsolutePath();
        }

        /** The name it serves the model under ({@code --alias}). */
        public Builder alias(String a) { this.alias = a; return this; }

        public Builder apiKey(String k) { this.apiKey = k; return this; }

        /** Serve https with this certificate and key (their folder is mounted); {@code ca} is trusted while waiting for it. */
        public Builder tls(Path certificate, Path privateKey, Path ca) {
            this.cert = certificate.toAbsolutePath();
            this.key = privateKey.toAbsolutePath();
            this.caForHealth = ca;
            return this;
        }

        public Builder contextSize(int c) { this.ctx = c; return this; }

        /** More server flags; files they name must be in the model's folder, mounted at {@code /models}. */
        public Builder args(String... a) { this.extra.addAll(List.of(a)); return this; }

        public LlamaServerContainer start() throws Exception {
            int port = freePort();
            List<String> cmd = new ArrayList<>(List.of("docker", "run", "-d", "--label", RUN_LABEL + "=" + RUN,
                    "--user", CallerIds.uidGid(), "-p", "127.0.0.1:" + port + ":" + port,
                    "-v", model.getParent() + ":/models:ro"));
            if (cert != null) {
                cmd.addAll(List.of("-v", cert.getParent() + ":/certs:ro"));
            }
            cmd.addAll(List.of(IMAGE, "--host", "0.0.0.0", "--port", String.valueOf(port), "-m",
                    "/models/" + model.getFileName(), "--alias", alias, "-c", String.valueOf(ctx), "-t", "1", "--metrics"));
            cmd.addAll(extra);
            if (apiKey != null) {
                cmd.addAll(List.of("--api-key", apiKey));
            }
            if (cert != null) {
                cmd.addAll(List.of("--ssl-cert-file", "/certs/" + cert.getFileName(), "--ssl-key-file", "/certs/" + key.getFileName()));
            }
            String id = Sh.must(cmd.toArray(new String[0])).strip();
            String scheme = cert != null ? "https" : "http";
            LlamaServerContainer c = new LlamaServerContainer(id, scheme + "://127.0.0.1:" + port + "/v1");
            try {
                awaitHealthy(scheme + "://127.0.0.1:" + port + "/health", id);
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
            HttpClient http = hb.build();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            String last = "";
            while (System.nanoTime() < deadline) {
                try {
                    int code = http.send(HttpRequest.newBuilder(URI.create(health)).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (code == 200) {
                        return;
                    }
                    last = "HTTP " + code;
                } catch (IOException e) {
                    last = e.toString();
                }
                if (!Sh.run("docker", "inspect", "--format", "{{.State.Running}}", id).output().strip().equals("true")) {
                    throw new AssertionError("llama-server exited: " + Sh.run("docker", "logs", id).output());
                }
                Thread.sleep(20); // polling /health, as llama-server's own clients do
            }
            throw new AssertionError("llama-server not healthy after 90 s: " + last);
        }
    }

    /** An SSL context that trusts the CA in a PEM file (for waiting on an https server). */
    static SSLContext trusting(Path caPem) throws Exception {
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

    /** The calling user's {@code uid:gid}: the server then reads exactly the files the test wrote. */
    static final class CallerIds {
        private CallerIds() {
        }

        static String uidGid() {
            com.sun.security.auth.module.UnixSystem u = new com.sun.security.auth.module.UnixSystem();
            return u.getUid() + ":" + u.getGid();
        }
    }
}
