package org.snowcrash.hub;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.snowcrash.testkit.Skip;

/**
 * A model hub on loopback made of Debian's nginx, following the Hugging Face hub's layout: the
 * hub server ({@code 127.0.0.1}) answers {@code /<owner>/<repo>/resolve/<rev>/<file>} of a large
 * file with a 302 to a storage server on another host ({@code 127.0.0.2}) and the headers
 * {@code X-Linked-Etag}, {@code X-Linked-Size}, {@code X-Repo-Commit}; small files it serves
 * itself. The storage server serves the content with byte ranges, optionally rate-limited (to cut
 * a download mid-file) or with ranges disabled. Both access logs record the method, path, status,
 * {@code Range} and {@code Authorization} of every request.
 *
 * <p>nginx runs in the foreground as one process ({@code master_process off}), so killing it cuts
 * every connection at once; {@link #restart} starts it again on the same ports.
 */
final class NginxHub implements AutoCloseable {

    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    /** How the storage server sends a file. */
    enum Delivery {
        /** As fast as it can, with ranges. */
        FAST("fast"),
        /** Rate-limited (see {@link #slowRate}), with ranges. */
        SLOW("slow"),
        /** Ignoring {@code Range}: always the whole file with 200. */
        NO_RANGES("norange");

        final String path;

        Delivery(String path) {
            this.path = path;
        }
    }

    private record Lfs(String repo, String file, String blob, long size, String announcedSha, Delivery delivery,
                       String token, boolean refuseHead) {
    }

    private final Path dir;
    private final List<Lfs> lfs = new ArrayList<>();
    private final int hubPort;
    private final int storagePort;
    private String slowRate = "64k";
    private Process nginx;

    NginxHub(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir.resolve("blobs"));
        Files.createDirectories(dir.resolve("hubroot"));
        Files.createDirectories(dir.resolve("tmp"));
        this.hubPort = freePort("127.0.0.1");
        this.storagePort = freePort("127.0.0.2");
    }

    /** Why nginx cannot be used here, if it cannot. */
    static Optional<String> problem() {
        Optional<Path> bin = binary();
        if (bin.isEmpty()) {
            return Optional.of("no nginx binary on PATH or in /usr/sbin (apt-get install nginx)");
        }
        try {
            Process p = new ProcessBuilder(bin.get().toString(), "-v").redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of(bin.get() + " -v did not answer");
            }
            return p.exitValue() == 0 ? Optional.empty() : Optional.of(bin.get() + " -v exited with " + p.exitValue());
        } catch (IOException e) {
            return Optional.of("cannot run " + bin.get() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /** Skips the calling test loudly without nginx, or fails when {@value Skip#REQUIRE}=true. */
    static void assumeAvailable() {
        Skip.unless("no nginx", problem().map(p -> "the hub tests cannot run: " + p).orElse(""));
    }

    private static Optional<Path> binary() {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.add("/usr/sbin");
        return dirs.stream().filter(d -> !d.isBlank()).map(d -> Path.of(d, "nginx")).filter(Files::isExecutable).findFirst();
    }

    /**
     * A large file: the hub redirects to the storage host, announcing {@code announcedSha}
     * (normally the content's own), its size and a commit.
     *
     * @param token when not null, the hub answers 401 unless {@code Authorization: Bearer <token>}
     */
    NginxHub lfs(String repo, String file, byte[] content, String announcedSha, Delivery delivery, String token)
            throws IOException {
        String blob = sha256(content) + "-" + lfs.size();
        Files.write(dir.resolve("blobs").resolve(blob), content);
        lfs.add(new Lfs(repo, file, blob, content.length, announcedSha, delivery, token, false));
        return this;
    }

    /** A large file behind a hub (a mirror) that answers {@code HEAD} with 405. */
    NginxHub lfsWithoutHead(String repo, String file, byte[] content) throws IOException {
        String blob = sha256(content) + "-" + lfs.size();
        Files.write(dir.resolve("blobs").resolve(blob), content);
        lfs.add(new Lfs(repo, file, blob, content.length, sha256(content), Delivery.FAST, null, true));
        return this;
    }

    /** A large file with its true checksum, no token needed. */
    NginxHub lfs(String repo, String file, byte[] content, Delivery delivery) throws IOException {
        return lfs(repo, file, content, sha256(content), delivery, null);
    }

    /** A small file the hub serves itself, with nginx's own ETag (not a sha256). */
    NginxHub direct(String repo, String file, byte[] content) throws IOException {
        Path p = dir.resolve("hubroot").resolve(repo).resolve("resolve/main").resolve(file);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        return this;
    }

    /** The rate of {@link Delivery#SLOW}, nginx syntax ({@code 64k}); {@code 0} lifts the limit. */
    NginxHub slowRate(String rate) {
        this.slowRate = rate;
        return this;
    }

    String url() {
        return "http://127.0.0.1:" + hubPort;
    }

    NginxHub start() throws IOException, InterruptedException {
        Files.writeString(dir.resolve("nginx.conf"), config(), StandardCharsets.UTF_8);
        Path bin = binary().orElseThrow();
        nginx = new ProcessBuilder(bin.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                "-e", dir.resolve("error.log").toString(), "-g", "daemon off; master_process off;")
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!(accepts("127.0.0.1", hubPort) && accepts("127.0.0.2", storagePort))) {
            if (!nginx.isAlive() || System.nanoTime() > deadline) {
                nginx.destroyForcibly();
                throw new IllegalStateException("nginx did not start: " + read("nginx.out") + read("error.log"));
            }
            Thread.sleep(20);
        }
        return this;
    }

    /** Kills nginx at once (SIGKILL): every open connection is cut mid-transfer. */
    void kill() throws InterruptedException {
        if (nginx != null) {
            nginx.destroyForcibly();
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("nginx did not die");
            }
        }
    }

    /** Starts nginx again on the same ports (with the current settings). */
    void restart() throws IOException, InterruptedException {
        kill();
        start();
    }

    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The hub's access log, one line per finished request. */
    List<String> hubLog() throws IOException {
        return lines("hub.log");
    }

    /** The storage host's access log. */
    List<String> storageLog() throws IOException {
        return lines("storage.log");
    }

    /**
     * Waits until some line of a log matches (nginx writes a line when a request is finished,
     * which may be just after the client has read the last byte). Bounded.
     */
    List<String> awaitLog(boolean storage, Predicate<String> line) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<String> l = storage ? storageLog() : hubLog();
            if (l.stream().anyMatch(line) || System.nanoTime() > deadline) {
                return l;
            }
            Thread.sleep(10);
        }
    }

    /** Waits until {@code count} lines of a log match. Bounded. */
    List<String> awaitLogCount(boolean storage, Predicate<String> line, long count) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<String> l = storage ? storageLog() : hubLog();
            if (l.stream().filter(line).count() >= count || System.nanoTime() > deadline) {
                return l;
            }
            Thread.sleep(10);
        }
    }

    private List<String> lines(String name) throws IOException {
        Path p = dir.resolve(name);
        return Files.exists(p) ? Files.readAllLines(p) : List.of();
    }

    private String read(String name) {
        try {
            Path p = dir.resolve(name);
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private String config() throws IOException {
        boolean root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        StringBuilder c = new StringBuilder();
        if (root) {
            c.append("user root;\n");
        }
        c.append("pid ").append(dir.resolve("nginx.pid")).append(";\n");
        c.append("error_log ").append(dir.resolve("error.log")).append(" info;\n");
        c.append("events { worker_connections 64; }\n");
        c.append("http {\n");
        c.append("  types { }\n  default_type application/octet-stream;\n");
        for (String t : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            c.append("  ").append(t).append("_temp_path ").append(dir.resolve("tmp").resolve(t)).append(";\n");
        }
        c.append("  log_format hub '$request_method $uri $status range=\"$http_range\" auth=\"$http_authorization\" sent=$body_bytes_sent';\n");
        c.append("  server {\n");
        c.append("    listen 127.0.0.1:").append(hubPort).append(";\n");
        c.append("    access_log ").append(dir.resolve("hub.log")).append(" hub;\n");
        c.append("    root ").append(dir.resolve("hubroot")).append(";\n");
        for (Lfs f : lfs) {
            c.append("    location = /").append(f.repo()).append("/resolve/main/").append(f.file()).append(" {\n");
            if (f.refuseHead()) {
                c.append("      if ($request_method = HEAD) { return 405; }\n");
            }
            if (f.token() != null) {
                c.append("      if ($http_authorization != \"Bearer ").append(f.token()).append("\") { return 401; }\n");
            }
            c.append("      add_header X-Linked-Etag '\"").append(f.announcedSha()).append("\"' always;\n");
            c.append("      add_header X-Linked-Size ").append(f.size()).append(" always;\n");
            c.append("      add_header X-Repo-Commit ").append(COMMIT).append(" always;\n");
            c.append("      return 302 http://127.0.0.2:").append(storagePort).append("/").append(f.delivery().path)
                    .append("/").append(f.blob()).append(";\n");
            c.append("    }\n");
        }
        c.append("  }\n");
        c.append("  server {\n");
        c.append("    listen 127.0.0.2:").append(storagePort).append(";\n");
        c.append("    access_log ").append(dir.resolve("storage.log")).append(" hub;\n");
        String blobs = dir.resolve("blobs") + "/";
        c.append("    location /fast/ { alias ").append(blobs).append("; }\n");
        c.append("    location /slow/ { alias ").append(blobs).append("; limit_rate ").append(slowRate).append("; }\n");
        c.append("    location /norange/ { alias ").append(blobs).append("; max_ranges 0; }\n");
        c.append("  }\n");
        c.append("}\n");
        return c.toString();
    }

    private static boolean accepts(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
