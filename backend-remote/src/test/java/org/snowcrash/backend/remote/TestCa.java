package org.snowcrash.backend.remote;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.snowcrash.testkit.docker.Sh;

/**
 * A certificate authority and server certificates made with openssl in a test's folder, as a
 * fleet's operator makes a private CA: {@code ca.pem} to give clients, and per server a
 * certificate for its IP address with its key.
 */
public final class TestCa {

    private final Path dir;
    private final Path caKey;
    private final Path caCert;

    private TestCa(Path dir) {
        this.dir = dir;
        this.caKey = dir.resolve("ca-key.pem");
        this.caCert = dir.resolve("ca.pem");
    }

    /** A new CA in {@code dir} (made if missing), named {@code name}. */
    public static TestCa create(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        TestCa ca = new TestCa(dir);
        Sh.must("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + name,
                "-keyout", ca.caKey.toString(), "-out", ca.caCert.toString());
        return ca;
    }

    /** The CA's certificate, for {@code backend.remote.ca-file}. */
    public Path certificate() {
        return caCert;
    }

    /**
     * A server certificate for {@code ip}, signed by this CA: {@code <name>-cert.pem} and
     * {@code <name>-key.pem} in the CA's folder, both readable by any user (a test server may run
     * as another user than the test).
     */
    public Path[] serverCertificate(String name, String ip) throws IOException {
        Path key = dir.resolve(name + "-key.pem");
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + "-cert.pem");
        Path ext = dir.resolve(name + ".ext");
        Files.writeString(ext, "subjectAltName=IP:" + ip + "\nextendedKeyUsage=serverAuth\n");
        Sh.must("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name, "-keyout", key.toString(),
                "-out", csr.toString());
        Sh.must("openssl", "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "2", "-extfile", ext.toString(), "-out", cert.toString());
        Sh.must("chmod", "644", key.toString(), cert.toString());
        return new Path[] {cert, key};
    }
}
