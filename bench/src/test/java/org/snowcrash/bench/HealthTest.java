package org.snowcrash.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The serve row's "HTTP/1.1 header parser received no bytes": a measured POST went out on the
 * keep-alive connection the {@code /health} poll had left in the measured client's pool, just as
 * llama-server closed it at its 5 s keep-alive timeout. That moment cannot be hit on purpose with
 * a real llama-server, so this server makes it an event: it answers the first request on every
 * connection (keep-alive, as llama-server does) and closes a connection on which a second request
 * arrives without answering it, which is what the client sees when the close and its request cross.
 */
class HealthTest {

    private ServerSocket listener;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> unanswered = new CopyOnWriteArrayList<>();
    private Thread acceptor;

    @BeforeEach
    void start() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket s = listener.accept();
                    connections.incrementAndGet();
                    Thread t = new Thread(() -> serve(s), "keep-alive-connection");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return; // closed by the test
                }
            }
        }, "keep-alive-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void stop() throws Exception {
        listener.close();
        acceptor.join();
    }

    /** Answers the first request of the connection; a second one is met with a close, no bytes. */
    private void serve(Socket s) {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1))) {
            OutputStream out = s.getOutputStream();
            for (int n = 0; ; n++) {
                String requestLine = in.readLine();
                if (requestLine == null) {
                    return;
                }
                int length = 0;
                for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
                    if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(h.substring(15).strip());
                    }
                }
                for (int i = 0; i < length; i++) {
                    in.read();
                }
                if (n > 0) {
                    unanswered.add(requestLine);
                    return; // the keep-alive timeout fired as the request came: closed, nothing sent
                }
                String body = requestLine.startsWith("GET /health") ? "{\"status\":\"ok\"}" : "data: [DONE]\n\n";
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                        + "\r\nKeep-Alive: timeout=5, max=100\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException e) {
            // the client closed the connection
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort() + path);
    }

    private HttpResponse<String> post(HttpClient measured) throws Exception {
        return measured.send(HttpRequest.newBuilder(uri("/v1/chat/completions")).POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPostOnTheConnectionAPollLeftFailsAsTheBenchDid() throws Exception {
        // What the bench did before: poll /health with the client it then measures.
        HttpClient measured = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertEquals(200, measured.send(HttpRequest.newBuilder(uri("/health")).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode());
        IOException e = assertThrows(IOException.class, () -> post(measured));
        assertTrue(e.getMessage().contains("header parser received no bytes"), e.toString());
        assertEquals(List.of("POST /v1/chat/completions HTTP/1.1"), unanswered);
        assertEquals(1, connections.get(), "the POST reused the poll's connection");
    }

    @Test
    void theMeasuredClientNeverGetsAConnectionFromAPoll() throws Exception {
        HttpClient measured = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertTrue(Health.await(uri("/health"), System.nanoTime(), Duration.ofSeconds(30), Duration.ofMillis(10)));
        HttpResponse<String> r = post(measured);
        assertEquals(200, r.statusCode());
        assertEquals("data: [DONE]\n\n", r.body());
        assertEquals(List.of(), unanswered);
        assertEquals(2, connections.get(), "one connection for the poll, a fresh one for the POST");
    }
}
