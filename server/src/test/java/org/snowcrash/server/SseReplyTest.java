package org.snowcrash.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

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
}
