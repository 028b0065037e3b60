package org.snowcrash.backend.docker;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;

/**
 * Makes docker-java clients with timeouts (the httpclient5 transport has none by default, so a
 * stuck daemon would block a call forever) and answers "does an engine answer here?".
 * No API version is pinned: requests go unversioned and the engine uses its own, so old
 * engines (API 1.41) and new ones (29+, minimum 1.44) both work.
 */
final class DockerEngine {

    private DockerEngine() {
    }

    /** A client for the engine the settings name, with their API timeout and TLS settings. */
    static DockerClient client(DockerSettings settings) {
        return client(settings, settings.apiTimeout());
    }

    static DockerClient client(DockerSettings settings, java.time.Duration timeout) {
        DefaultDockerClientConfig.Builder b = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(settings.host())
                .withDockerTlsVerify(settings.tlsVerify());
        if (settings.tlsVerify()) {
            // ca.pem, cert.pem and key.pem, as Docker's own client reads them from DOCKER_CERT_PATH.
            b.withDockerCertPath(settings.certPath().toString());
        }
        return build(b.build(), timeout);
    }

    /** A plain client (no TLS), for tools and tests that name only a host. */
    static DockerClient client(String host, java.time.Duration timeout) {
        return build(DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host)
                .withDockerTlsVerify(false).build(), timeout);
    }

    private static DockerClient build(DefaultDockerClientConfig config, java.time.Duration timeout) {
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(timeout)
                .responseTimeout(timeout)
                .maxConnections(32)
                .build();
        return DockerClientImpl.getInstance(config, http);
    }

    /** Why no engine answers at {@code host} within {@code timeout}, or empty when one does. */
    static Optional<String> whyUnreachable(DockerSettings settings, java.time.Duration timeout) {
        String host = settings.host();
        if (settings.tlsVerify()) {
            for (String f : new String[] {"ca.pem", "cert.pem", "key.pem"}) {
                if (!Files.isReadable(settings.certPath().resolve(f))) {
                    return Optional.of("TLS is on (DOCKER_TLS_VERIFY or backend.docker.tls-verify) but "
                            + settings.certPath().resolve(f) + " cannot be read (set DOCKER_CERT_PATH or backend.docker.cert-path)");
                }
            }
        }
        if (host.startsWith("unix://")) {
            Path socket = Path.of(URI.create(host).getPath());
            if (!Files.exists(socket)) {
                return Optional.of("no Docker engine: " + socket + " does not exist (is dockerd running? set DOCKER_HOST or backend.docker.host)");
            }
            if (!Files.isReadable(socket) || !Files.isWritable(socket)) {
                return Optional.of("permission denied on " + socket + " (add the user to the docker group)");
            }
        }
        // The ping runs on its own thread so that the bound holds even if the transport ignores its timeouts.
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "snowcrash-docker-ping");
            t.setDaemon(true);
            return t;
        });
        try (DockerClient c = client(settings, timeout)) {
            Future<?> f = ex.submit(() -> c.pingCmd().exec());
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return Optional.empty();
        } catch (TimeoutException e) {
            return Optional.of("the Docker engine at " + host + " did not answer a ping within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            if (rootMessage(e.getCause()).toLowerCase(Locale.ROOT).contains("timed out")) {
                // The transport's own timeout (the same bound) fired before ours.
                return Optional.of("the Docker engine at " + host + " did not answer a ping within " + timeout.toMillis() + " ms");
            }
            return Optional.of(unreachable(settings, e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while pinging the Docker engine");
        } catch (IOException | RuntimeException e) {
            return Optional.of(unreachable(settings, e));
        } finally {
            ex.shutdownNow();
        }
    }

    /**
     * Why a reachable address gave no engine, in words that say what to fix. Over TLS an engine
     * that refuses the client's certificate is seen only as a failed handshake, or (TLS 1.3, where
     * the server checks it after the handshake) as a reset or a broken pipe on the first request.
     */
    static String unreachable(DockerSettings settings, Throwable e) {
        String host = settings.host();
        String root = rootMessage(e);
        if (settings.tlsVerify() && looksLikeTlsRefusal(e)) {
            return "the Docker engine at " + host + " refused the TLS handshake (" + root + "): is "
                    + settings.certPath().resolve("cert.pem") + " a client certificate signed by an authority the engine"
                    + " trusts, and " + settings.certPath().resolve("ca.pem") + " the authority of the engine's certificate?"
                    + " (DOCKER_CERT_PATH or backend.docker.cert-path)";
        }
        if (!settings.tlsVerify() && host.startsWith("tcp://")) {
            return "the Docker engine at " + host + " cannot be reached: " + root + " (an engine on the network usually"
                    + " speaks TLS: set backend.docker.tls-verify=true or DOCKER_TLS_VERIFY=1, with its certificates in"
                    + " backend.docker.cert-path or DOCKER_CERT_PATH)";
        }
        return "the Docker engine at " + host + " cannot be reached: " + root;
    }

    private static boolean looksLikeTlsRefusal(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (t instanceof javax.net.ssl.SSLException || m.contains("broken pipe") || m.contains("connection reset")
                    || m.contains("handshake")) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        String s = m == null ? t.getClass().getSimpleName() : m;
        return s.toLowerCase(Locale.ROOT).contains("permission denied") ? "permission denied (" + s + ")" : s;
    }
}
