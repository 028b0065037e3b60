package org.snowcrash.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP hub on loopback for the command's tests, laid out like the Hugging Face hub: the
 * hub host ({@code 127.0.0.1}) answers {@code /acme/tiny-GGUF/resolve/main/tiny.gguf} (and the
 * gated {@code /acme/gated-GGUF/...}, which needs the token) with a 302 to a storage host on
 * another address ({@code 127.0.0.2}) plus {@code X-Linked-Etag}, {@code X-Linked-Size} and
 * {@code X-Repo-Commit}; the storage host serves the bytes with {@code Range} support, at a
 * settable pace. Everything else is 404. Every request is recorded. (The downloader's own tests
 * use nginx; the command's tests need no package beyond the JDK.)
 */
final class TestHub implements AutoCloseable {

    /** One request as the server saw it. */
    record Seen(String host, String method, String path, String range, String authorization, int status) {
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final byte[] content;
    private final String token;
    private final HttpServer hub;
    private final HttpServer storage;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-hub");
        t.setDaemon(true);
        return t;
    });
    final List<Seen> requests = new CopyOnWriteArrayList<>();
    /** Bytes per second the storage host sends; 0 for as fast as it can. */
    volatile long bytesPerSecond;

    TestHub(byte[] content, String token) throws IOException {
        this.content = content.clone();
        this.token = token;
        hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        storage = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 50);
        hub.createContext("/", this::hub);
        storage.createContext("/", this::storage);
        hub.setExecutor(executor);
        storage.setExecutor(executor);
        hub.start();
        storage.start();
    }

    String url() {
        return "http://127.0.0.1:" + hub.getAddress().getPort();
    }

    String sha256() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    List<Seen> storageRequests() {
        return requests.stream().filter(s -> s.host().equals("storage")).toList();
    }

    List<Seen> hubRequests() {
        return requests.stream().filter(s -> s.host().equals("hub")).toList();
    }

    private void hub(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String auth = x.getRequestHeaders().getFirst("Authorization");
        int status;
        if (!path.equals("/acme/tiny-GGUF/resolve/main/tiny.gguf") && !path.equals("/acme/gated-GGUF/resolve/main/tiny.gguf")) {
            status = 404;
        } else if (path.startsWith("/acme/gated-GGUF/") && !("Bearer " + token).equals(auth)) {
            status = 401;
        } else {
            status = 302;
            x.getResponseHeaders().add("Location", "http://127.0.0.2:" + storage.getAddress().getPort() + "/blobs/" + sha256());
            x.getResponseHeaders().add("X-Linked-Etag", "\"" + sha256() + "\"");
            x.getResponseHeaders().add("X-Linked-Size", String.valueOf(content.length));
            x.getResponseHeaders().add("X-Repo-Commit", "0123456789abcdef0123456789abcdef01234567");
        }
        record(x, "hub", status);
        x.sendResponseHeaders(status, -1);
        x.close();
    }

    private void storage(HttpExchange x) throws IOException {
        String range = x.getRequestHeaders().getFirst("Range");
        int from = 0;
        Matcher m = RANGE.matcher(Optional.ofNullable(range).orElse(""));
        if (m.matches()) {
            from = (int) Math.min(Long.parseLong(m.group(1)), Integer.MAX_VALUE);
        }
        if (from >= content.length && range != null) {
            record(x, "storage", 416);
            x.getResponseHeaders().add("Content-Range", "bytes */" + content.length);
            x.sendResponseHeaders(416, -1);
            x.close();
            return;
        }
        int status = range != null && m.matches() ? 206 : 200;
        if (status == 206) {
            x.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
        }
        record(x, "storage", status);
        x.sendResponseHeaders(status, content.length - from);
        try (OutputStream out = x.getResponseBody()) {
            int chunk = 4096;
            for (int i = from; i < content.length; i += chunk) {
                out.write(content, i, Math.min(chunk, content.length - i));
                out.flush();
                long rate = bytesPerSecond;
                if (rate > 0) {
                    // Pacing a slow server, not synchronizing with the test.
                    Thread.sleep(Math.max(1, chunk * 1000L / rate));
                }
            }
        } catch (IOException | InterruptedException e) {
            // The client went away (killed, cancelled).
        }
    }

    private void record(HttpExchange x, String host, int status) {
        requests.add(new Seen(host, x.getRequestMethod(), x.getRequestURI().getPath(),
                x.getRequestHeaders().getFirst("Range"), x.getRequestHeaders().getFirst("Authorization"), status));
    }

    @Override
    public void close() {
        hub.stop(0);
        storage.stop(0);
        executor.shutdownNow();
    }
}
