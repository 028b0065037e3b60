package org.snowcrash.hub;

import org.snowcrash.models.hub.HubSource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.Cancellation;

/**
 * Stalls and refused connections. nginx cannot be told to go silent mid-response, so a tiny
 * socket server does it: it answers the hub's {@code HEAD}, then sends the headers and a few
 * bytes of the content and says nothing more (or, in the other case, accepts and never answers).
 */
class HubStallTest {

    private static final Duration READ_TIMEOUT = Duration.ofMillis(700);
    /** What a stall may take beyond the read timeout before the typed failure arrives. */
    // A bound that tells a stall from a hang, generous because a loaded 2-core machine may take seconds to run anything.

    @TempDir
    Path dir;
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private ServerSocket server;

    @AfterEach
    void stop() throws IOException {
        release.countDown();
        if (server != null) {
            server.close();
        }
        for (Socket s : open) {
            s.close();
        }
    }

    /** Starts the server; {@code silentAtOnce}: accept and never answer anything. */
    private String start(boolean silentAtOnce) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    Socket s = server.accept();
                    open.add(s);
                    if (!silentAtOnce) {
                        answer(s);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // closed at the end of the test
            }
        }, "stalling-server");
        t.setDaemon(true);
        t.start();
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void answer(Socket s) throws IOException, InterruptedException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        String requestLine = in.readLine();
        for (String l = in.readLine(); l != null && !l.isEmpty(); l = in.readLine()) {
            // headers are not needed
        }
        OutputStream out = s.getOutputStream();
        String headers = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nX-Linked-Size: 100000\r\n"
                + "Content-Type: application/octet-stream\r\n";
        if (requestLine != null && requestLine.startsWith("HEAD ")) {
            out.write((headers + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            s.close();
            return;
        }
        out.write((headers + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write("GGUF\3\0\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        release.await();   // silence until the test ends
    }

    private DownloadFailure pull(String url, Path target) {
        HubSettings settings = new HubSettings(URI.create(url), Duration.ofSeconds(2), READ_TIMEOUT, Optional.empty());
        try (HubDownloader d = new HubDownloader(settings)) {
            return assertThrows(DownloadException.class, () -> d.pull(HubSource.parse("hf:acme/stall/model.gguf"), target,
                    new Cancellation(), DownloadListener.NONE)).failure();
        }
    }

    @Test
    void aServerThatGoesSilentMidFileIsAStallWithinTheReadTimeoutAndKeepsThePartialFile() throws Exception {
        String url = start(false);
        Path target = dir.resolve("m/model.gguf");
        long t0 = System.nanoTime();
        DownloadFailure f = pull(url, target);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        DownloadFailure.Stalled stalled = assertInstanceOf(DownloadFailure.Stalled.class, f);
        // Never before the read timeout (no machine is fast enough to make that wrong); no ceiling.
        assertTrue(took.compareTo(READ_TIMEOUT) >= 0, "took " + took);
        assertEquals(10, stalled.bytesKept());
        assertEquals(10, Files.size(HubDownloader.partOf(target)), "the 10 bytes that came are kept for a resume");
        assertTrue(stalled.describe().startsWith("no data from " + url + "/acme/stall/resolve/main/model.gguf for 700 ms"),
                stalled.describe());
    }

    @Test
    void aServerThatNeverAnswersIsAStallToo() throws Exception {
        String url = start(true);
        Path target = dir.resolve("m/model.gguf");
        DownloadFailure f = pull(url, target);
        DownloadFailure.Stalled stalled = assertInstanceOf(DownloadFailure.Stalled.class, f);
        assertEquals(0, stalled.bytesKept());
        assertTrue(!Files.exists(target.getParent()), "nothing was written");
    }

    @Test
    void aHubThatRefusesConnectionsIsAConnectionFailure() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        DownloadFailure f = pull("http://127.0.0.1:" + port, dir.resolve("m/model.gguf"));
        DownloadFailure.ConnectionFailed c = assertInstanceOf(DownloadFailure.ConnectionFailed.class, f);
        assertTrue(c.describe().startsWith("connection to http://127.0.0.1:" + port + "/acme/stall/resolve/main/model.gguf failed: "),
                c.describe());
        assertTrue(!c.partKept());
    }
}
