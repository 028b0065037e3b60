package org.snowcrash.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.javalin.Javalin;

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
        Javalin app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.routes.get("/sse", ctx -> {
                SseReply out = new SseReply(ctx);
                out.dataWithNext("role"); // as the role chunk before the first piece
                out.data("piece 1");
                out.data("piece 2");
                out.dataWithNext("finish");
                out.dataWithNext("usage");
                out.data("[DONE]");
                flushes.set(out.flushes());
            });
        }).start("127.0.0.1", 0);
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + app.port() + "/sse")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("text/event-stream;charset=utf-8", r.headers().firstValue("Content-Type").orElse("").replace(" ", "")
                    .toLowerCase(java.util.Locale.ROOT));
            assertEquals("data: role\n\ndata: piece 1\n\ndata: piece 2\n\ndata: finish\n\ndata: usage\n\ndata: [DONE]\n\n", r.body());
            assertEquals(3, flushes.get(), "one flush per piece, one for the end");
        } finally {
            app.stop();
        }
    }
}
