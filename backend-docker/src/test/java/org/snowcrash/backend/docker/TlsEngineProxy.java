package org.snowcrash.backend.docker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The local Docker engine behind a TLS-terminating proxy (Debian's {@code stunnel4}) on a loopback
 * port, as a remote engine is reached ({@code tcp://host:2376} with TLS): the proxy requires a
 * client certificate signed by the test's CA. (socat was tried first: with client certificates
 * required it refuses resumed TLS sessions, "session id context uninitialized", which JSSE's
 * second connection uses; stunnel sets the context.) The CA, the proxy's certificate and a client
 * certificate are made with {@code openssl} in the test's folder; a second CA signs a client
 * certificate the proxy must refuse.
 */
final class TlsEngineProxy implements AutoCloseable {

    private final Process stunnel;
    private final int port;
    private final Path log;

    private TlsEngineProxy(Process stunnel, int port, Path log) {
        this.stunnel = stunnel;
        this.port = port;
        this.log = log;
    }

    /** Why the proxy cannot run here (stunnel4 or openssl missing), or empty. */
    static String problem() {
        for (String tool : List.of("stunnel4", "openssl")) {
            if (run("sh", "-c", "command -v " + tool).isEmpty()) {
                return tool + " is not installed (.ci/packages.sh installs it)";
            }
        }
        return "";
    }

    /**
     * Makes {@code ca.pem}, a server certificate for 127.0.0.1 and a client certificate
     * ({@code cert.pem}, {@code key.pem}) in {@code certs}, the layout Docker's clients read from
     * {@code DOCKER_CERT_PATH}.
     */
    static void makeCertificates(Path certs, String caName) throws IOException {
        Files.createDirectories(certs);
        String d = certs.toString();
        must("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + caName,
                "-keyout", d + "/ca-key.pem", "-out", d + "/ca.pem");
        Files.writeString(certs.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        Files.writeString(certs.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        sign(d, "server-key.pem", "server-cert.pem", "engine", "server.ext");
        sign(d, "key.pem", "cert.pem", "robot", "client.ext");
    }

    private static void sign(String d, String key, String cert, String cn, String ext) throws IOException {
        must("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + cn, "-keyout", d + "/" + key,
                "-out", d + "/" + cn + ".csr");
        must("openssl", "x509", "-req", "-in", d + "/" + cn + ".csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca-key.pem",
                "-CAcreateserial", "-days", "2", "-extfile", d + "/" + ext, "-out", d + "/" + cert);
    }

    /** Starts stunnel in front of the engine's socket, requiring client certificates from the CA in {@code certs}. */
    static TlsEngineProxy start(Path certs, Path engineSocket) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = certs.resolve("stunnel.log");
        Path conf = certs.resolve("stunnel.conf");
        Files.writeString(conf, String.join("\n",
                "foreground = yes",
                "pid =",
                "output = " + log,
                "debug = 5",
                "[docker]",
                "accept = 127.0.0.1:" + port,
                "connect = " + engineSocket,
                "cert = " + certs.resolve("server-cert.pem"),
                "key = " + certs.resolve("server-key.pem"),
                "CAfile = " + certs.resolve("ca.pem"),
                "requireCert = yes",
                "verifyChain = yes",
                ""));
        Process p = new ProcessBuilder("stunnel4", conf.toString()).redirectErrorStream(true)
                .redirectOutput(certs.resolve("stunnel.out").toFile()).start();
        TlsEngineProxy proxy = new TlsEngineProxy(p, port, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return proxy;
            } catch (IOException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    proxy.close();
                    throw new IllegalStateException("stunnel did not listen: " + Files.readString(certs.resolve("stunnel.out")), e);
                }
                Thread.sleep(20); // waiting for stunnel's listening socket
            }
        }
    }

    /** The engine's address through the proxy. */
    String host() {
        return "tcp://127.0.0.1:" + port;
    }

    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() {
        stunnel.descendants().forEach(ProcessHandle::destroyForcibly);
        stunnel.destroyForcibly();
        try {
            stunnel.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? out : "";
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    private static void must(String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
