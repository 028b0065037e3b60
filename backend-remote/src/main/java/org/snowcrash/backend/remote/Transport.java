package org.snowcrash.backend.remote;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * The OkHttp clients of the remote backend: one base client per backend instance (daemon threads,
 * so a library user's JVM is never kept alive by it) and, per configuration, a client derived
 * from it that trusts the private certificate authority of {@code backend.remote.ca-file}.
 *
 * <p>The private CA is read with the JDK's own {@link CertificateFactory} (which reads a PEM
 * bundle of several certificates, too) into an in-memory trust store: no extra library is needed,
 * and what is trusted is exactly what the file holds (as {@code curl --cacert} does: the system's
 * authorities are then not trusted for these endpoints). Host names are still verified.
 */
final class Transport {

    private Transport() {
    }

    /** A base client: daemon dispatcher threads, no per-host cap below the concurrency a server has. */
    static OkHttpClient base() {
        ThreadFactory daemons = r -> {
            Thread t = new Thread(r, "snowcrash-remote-http");
            t.setDaemon(true);
            return t;
        };
        Dispatcher dispatcher = new Dispatcher(new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), daemons));
        // OkHttp's default of 5 calls per host would queue the sixth stream to one server, and a
        // queued stream looks like silence to the idle timeout.
        dispatcher.setMaxRequestsPerHost(256);
        dispatcher.setMaxRequests(1024);
        // No idle connections are kept, for model lists as for chat: a server closes an idle
        // keep-alive connection after a few seconds, and when the link is down at that moment its
        // goodbye is lost; the next request on that connection would then be reset (seen after a
        // cable was plugged back in), and a POST must never be retried on a fresh one.
        return new OkHttpClient.Builder().dispatcher(dispatcher).connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
                .retryOnConnectionFailure(false).build();
    }

    /**
     * The client for these settings: the base one, or one trusting only the CA file's authorities.
     *
     * @throws IOException when the CA file cannot be read or holds no certificate (the message says which)
     */
    static OkHttpClient forSettings(OkHttpClient base, RemoteSettings settings) throws IOException {
        OkHttpClient.Builder b = base.newBuilder().connectTimeout(settings.connectTimeout());
        if (settings.caFile().isPresent()) {
            X509TrustManager trust = trustOnly(settings.caFile().get());
            try {
                SSLContext tls = SSLContext.getInstance("TLS");
                tls.init(null, new TrustManager[] {trust}, null);
                b.sslSocketFactory(tls.getSocketFactory(), trust);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot set up TLS with " + settings.caFile().get() + ": " + e.getMessage(), e);
            }
        }
        return b.build();
    }

    /** A trust manager that trusts the certificates in a PEM file, and nothing else. */
    static X509TrustManager trustOnly(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IOException(RemoteSettings.PREFIX + "ca-file " + pem + " holds no certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IOException("the JDK offers no X.509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new IOException(RemoteSettings.PREFIX + "ca-file " + pem + " is not a PEM certificate file: "
                    + e.getMessage(), e);
        }
    }
}
