package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;

import com.sun.net.httpserver.HttpServer;

/**
 * The server is reachable on loopback only: a host in its own network namespace (made here with
 * {@code ip netns} and a veth pair) cannot reach it, while it can reach a control server on the
 * host, and can reach the model once the user opts out with {@code bind-address=0.0.0.0}.
 */
@RequiresDocker
@org.junit.jupiter.api.Tag("root") // ip netns needs root: .ci/run runs this tag as root, everything else as the test account
class NetworkIsolationTest {

    private static final String NS = "snowcrash-test-ns";
    private static final String HOST_IF = "sc-test-h0";
    private static final String HOST_IP = "10.231.77.1";

    @TempDir
    Path dir;

    private static int sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    @BeforeEach
    void namespace() throws Exception {
        sh("ip", "link", "del", HOST_IF);
        sh("ip", "netns", "del", NS);
        boolean ok = sh("ip", "netns", "add", NS) == 0
                && sh("ip", "link", "add", HOST_IF, "type", "veth", "peer", "name", "sc-test-n0") == 0
                && sh("ip", "link", "set", "sc-test-n0", "netns", NS) == 0
                && sh("ip", "addr", "add", HOST_IP + "/30", "dev", HOST_IF) == 0
                && sh("ip", "link", "set", HOST_IF, "up") == 0
                && sh("ip", "netns", "exec", NS, "ip", "addr", "add", "10.231.77.2/30", "dev", "sc-test-n0") == 0
                && sh("ip", "netns", "exec", NS, "ip", "link", "set", "sc-test-n0", "up") == 0;
        if (!ok && "true".equalsIgnoreCase(System.getenv(DockerCondition.REQUIRE))) {
            throw new IllegalStateException("cannot make a network namespace (needs root and iproute2)");
        }
        assumeTrue(ok, "cannot make a network namespace here (needs root and iproute2)");
    }

    @AfterEach
    void removeNamespace() throws Exception {
        sh("ip", "link", "del", HOST_IF);
        sh("ip", "netns", "del", NS);
    }

    /** The HTTP status the other host gets, or 0 when it cannot connect. */
    private static int fromOtherHost(int port, String path) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", NS, "curl", "-s", "-m", "3", "-o", "/dev/null",
                "-w", "%{http_code}", "http://" + HOST_IP + ":" + port + path).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor(10, TimeUnit.SECONDS);
        return out.isEmpty() ? 0 : Integer.parseInt(out);
    }

    @Test
    void anotherHostCannotReachTheServerUnlessTheUserOptsOut() throws Exception {
        HttpServer control = HttpServer.create(new InetSocketAddress(InetAddress.getByName(HOST_IP), 0), 0);
        control.createContext("/", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        control.start();
        DockerBackend backend = new DockerBackend();
        try {
            assertEquals(200, fromOtherHost(control.getAddress().getPort(), "/"), "the other host reaches the host");
            DockerTestSupport.TestModel spec = DockerTestSupport.demoSpec(dir, "isolated");
            try (ModelSession s = backend.start(spec.spec(), spec.context())) {
                assertEquals(0, fromOtherHost(spec.port(), "/health"), "the model server is not reachable from outside");
            }
            DockerTestSupport.TestModel open = DockerTestSupport.demoSpec(dir, "exposed");
            try (ModelSession s = backend.start(open.spec(), open.context("backend.docker.bind-address", "0.0.0.0"))) {
                assertEquals(200, fromOtherHost(open.port(), "/health"), "opting out exposes it, so the check above means something");
                assertEquals(401, fromOtherHost(open.port(), "/v1/models"), "and then the API key still guards it");
            }
        } finally {
            control.stop(0);
        }
    }

}
