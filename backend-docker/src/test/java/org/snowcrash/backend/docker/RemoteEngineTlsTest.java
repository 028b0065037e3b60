package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.Availability;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ModelSession;

/**
 * A Docker engine reached over {@code tcp://} with TLS and client certificates, as an engine on
 * another host is: the real local engine behind a TLS proxy that requires a client certificate
 * from the test's CA. The backend starts a model through it, with the keys and with Docker's own
 * variables; a client without an acceptable certificate is refused with a clear reason. No root.
 */
@RequiresDocker
class RemoteEngineTlsTest {

    @TempDir
    static Path dir;

    private static Path certs;
    private static Path strangerCerts;
    private static TlsEngineProxy proxy;

    @BeforeAll
    static void proxy() throws Exception {
        String problem = TlsEngineProxy.problem();
        if (!problem.isEmpty() && "true".equalsIgnoreCase(System.getenv(DockerCondition.REQUIRE))) {
            throw new IllegalStateException(DockerCondition.REQUIRE + "=true but " + problem);
        }
        if (!problem.isEmpty()) {
            System.err.println("!!! SKIPPED (no TLS proxy): " + problem);
        }
        assumeTrue(problem.isEmpty(), "SKIPPED (no TLS proxy): " + problem);
        assumeTrue(DockerCondition.HOST.startsWith("unix://"), "the test engine is a local socket");
        certs = dir.resolve("certs");
        TlsEngineProxy.makeCertificates(certs, "fleet CA");
        // A client certificate from an authority the engine does not trust, with the right CA to check the engine.
        strangerCerts = dir.resolve("stranger");
        TlsEngineProxy.makeCertificates(strangerCerts, "somebody else's CA");
        Files.copy(certs.resolve("ca.pem"), strangerCerts.resolve("ca.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        proxy = TlsEngineProxy.start(certs, Path.of(URI.create(DockerCondition.HOST).getPath()));
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        try (var docker = DockerTestSupport.client()) {
            DockerTestSupport.removeOwnContainers(docker);
        } catch (Exception e) {
            // best effort: the containers end with this process anyway
        }
    }

    /** The keys that reach the engine through the proxy with the client certificates in {@code certPath}. */
    private static String[] tlsKeys(Path certPath, String... more) {
        List<String> kv = new java.util.ArrayList<>(List.of("backend.docker.host", proxy.host(),
                "backend.docker.tls-verify", "true", "backend.docker.cert-path", certPath.toString()));
        kv.addAll(List.of(more));
        return kv.toArray(new String[0]);
    }

    private static BackendContext tls(Path certPath, String... more) {
        return DockerTestSupport.context(tlsKeys(certPath, more));
    }

    private static void startAndAsk(DockerBackend backend, String name, String expectedHost, String... keys) throws Exception {
        DockerTestSupport.TestModel model = DockerTestSupport.demoSpec(dir, name);
        BackendContext context = model.context(keys);
        assertEquals(Availability.available(), backend.availability(context));
        try (ModelSession s = backend.start(model.spec(), context)) {
            assertTrue(s.info().detail().contains("http://" + expectedHost + ":" + model.port()), s.info().detail());
            assertEquals(4, s.chat(ChatRequest.of(List.of(ChatMessage.user("hi")), 4)).usage().completionTokens());
        }
        try (var docker = DockerTestSupport.client()) {
            assertTrue(docker.listContainersCmd().withShowAll(true).withNameFilter(List.of(model.containerName())).exec().stream()
                    .noneMatch(c -> List.of(c.getNames()).contains("/" + model.containerName())), "removed through the TLS engine");
        }
    }

    @Test
    void aModelStartsThroughTheTlsEngineWithTheKeys() throws Exception {
        startAndAsk(new DockerBackend(), "tls-keys", "127.0.0.1", tlsKeys(certs));
    }

    @Test
    void andWithDockersOwnVariablesPublishedOnEveryAddressReachedAtTheEnginesHost() throws Exception {
        DockerBackend fromEnvironment = new DockerBackend(Map.of("DOCKER_HOST", proxy.host(), "DOCKER_TLS_VERIFY", "1",
                "DOCKER_CERT_PATH", certs.toString()));
        startAndAsk(fromEnvironment, "tls-env", "127.0.0.1", "backend.docker.bind-address", "0.0.0.0");
    }

    @Test
    void aClientWithoutAnAcceptableCertificateIsRefusedWithAClearReason() throws Exception {
        DockerBackend backend = new DockerBackend();
        Path caOnly = Files.createDirectories(dir.resolve("ca-only"));
        Files.copy(certs.resolve("ca.pem"), caOnly.resolve("ca.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String none = reason(backend.availability(tls(caOnly)));
        assertTrue(none.startsWith("TLS is on (DOCKER_TLS_VERIFY or backend.docker.tls-verify) but " + caOnly.resolve("cert.pem")
                + " cannot be read"), none);

        String stranger = reason(backend.availability(tls(strangerCerts)));
        assertTrue(stranger.startsWith("the Docker engine at " + proxy.host() + " refused the TLS handshake"), stranger);
        // Its certificate is not from an authority the engine names, so the client offers none.
        assertTrue(proxy.log().contains("peer did not return a certificate"), "the proxy refused it: " + proxy.log());

        String plain = reason(backend.availability(DockerTestSupport.context("backend.docker.host", proxy.host())));
        assertTrue(plain.startsWith("the Docker engine at " + proxy.host() + " "), plain);
        assertTrue(plain.contains("backend.docker.tls-verify"), "says what to set: " + plain);
        assertTrue(proxy.log().contains("http request"), "plain HTTP reached the TLS port: " + proxy.log());
    }

    private static String reason(Availability a) {
        assertFalse(a.isAvailable(), "refused");
        return ((Availability.Unavailable) a).reason();
    }
}
