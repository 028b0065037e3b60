package org.snowcrash.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/** The framing of one event: written as one array (one write, one flush per token). */
class SseReplyTest {

    private static String frame(String name, String data) {
        return new String(SseReply.frame(name, data), StandardCharsets.UTF_8);
    }

    @Test
    void anUnnamedEventIsOneDataLineAndABlankLine() {
        assertEquals("data: {\"a\":\"é\"}\n\n", frame(null, "{\"a\":\"é\"}"));
        assertEquals("data: [DONE]\n\n", frame(null, "[DONE]"));
    }

    @Test
    void aNamedEventSaysItsNameAndEachLineOfDataIsADataLine() {
        assertEquals("event: snowcrash.sentence\ndata: one\ndata: two\ndata: \n\n", frame("snowcrash.sentence", "one\r\ntwo\n"));
        assertEquals("event: xy\ndata: \n\n", frame("x\r\ny", ""));
    }

    @Test
    void eventsThatNeverComeAloneShareTheNextOnesFlush() throws Exception {
        AtomicInteger flushes = new AtomicInteger(-1);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                JettyExchange exchange = new JettyExchange(request, response);
                SseReply out = new SseReply(exchange);
                out.dataWithNext("role"); // as the role chunk before the first piece
                out.data("piece 1");
                out.data("piece 2");
                out.dataWithNext("finish");
                out.dataWithNext("usage");
                out.data("[DONE]");
                flushes.set(out.flushes());
                exchange.end();
                callback.succeeded();
                return true;
            }
        });
        server.start();
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/sse")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("text/event-stream;charset=utf-8", r.headers().firstValue("Content-Type").orElse("").replace(" ", "")
                    .toLowerCase(java.util.Locale.ROOT));
            assertEquals("data: role\n\ndata: piece 1\n\ndata: piece 2\n\ndata: finish\n\ndata: usage\n\ndata: [DONE]\n\n", r.body());
            assertEquals(3, flushes.get(), "one flush per piece, one for the end");
        } finally {
            server.stop();
        }
    }
}
