package org.snowcrash.backend.remote;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * An OpenAI-compatible server for HTTP faults a real one cannot be made to show on demand (a 503
 * at will, a stream cut after its first piece): it lists the models it is told to, answers chat
 * with the responses queued for it (an ordinary answer when none is), and counts what it got.
 */
final class FakeServer implements AutoCloseable {

    private final MockWebServer server = new MockWebServer();
    private final BlockingQueue<MockResponse> chats = new LinkedBlockingQueue<>();
    private final AtomicInteger chatCount = new AtomicInteger();
    private final AtomicInteger modelsCount = new AtomicInteger();
    private volatile MockResponse models;

    private FakeServer(List<String> served) {
        serves(served);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                String path = r.getUrl().encodedPath();
                if (path.endsWith("/models")) {
                    modelsCount.incrementAndGet();
                    return models;
                }
                if (path.endsWith("/chat/completions")) {
                    chatCount.incrementAndGet();
                    MockResponse next = chats.poll();
                    if (next != null) {
                        return next;
                    }
                    boolean streamed = r.getBody() != null && r.getBody().utf8().contains("\"stream\":true");
                    return streamed ? answer("fine") : blockingAnswer("fine");
                }
                return new MockResponse.Builder().code(404).body("{\"error\":{\"code\":404,\"message\":\"File Not Found\"}}").build();
            }
        });
    }

    static FakeServer serving(String... models) throws IOException {
        FakeServer f = new FakeServer(List.of(models));
        f.server.start();
        return f;
    }

    /** A new server on the port of one that was closed: the endpoint comes back. */
    static FakeServer servingOnPort(int port, String... models) throws IOException {
        FakeServer f = new FakeServer(List.of(models));
        f.server.start(InetAddress.getByName("127.0.0.1"), port);
        return f;
    }

    void serves(List<String> served) {
        StringBuilder data = new StringBuilder();
        for (String m : served) {
            data.append(data.length() == 0 ? "" : ",").append("{\"id\":\"").append(m).append("\",\"object\":\"model\"}");
        }
        models = new MockResponse.Builder().addHeader("Content-Type", "application/json")
                .body("{\"object\":\"list\",\"data\":[" + data + "]}").build();
    }

    void modelsAnswer(MockResponse r) {
        models = r;
    }

    void nextChat(MockResponse r) {
        chats.add(r);
    }

    int chatRequests() {
        return chatCount.get();
    }

    int modelRequests() {
        return modelsCount.get();
    }

    String url() {
        return "http://127.0.0.1:" + server.getPort() + "/v1";
    }

    int port() {
        return server.getPort();
    }

    /** A complete streamed answer. */
    static MockResponse answer(String text) {
        return new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                .body(chunk(text) + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\ndata: [DONE]\n\n").build();
    }

    static MockResponse blockingAnswer(String text) {
        return new MockResponse.Builder().addHeader("Content-Type", "application/json")
                .body("{\"choices\":[{\"message\":{\"content\":\"" + text + "\"},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}").build();
    }

    static String chunk(String content) {
        return "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":null}]}\n\n";
    }

    @Override
    public void close() {
        server.close();
    }
}
