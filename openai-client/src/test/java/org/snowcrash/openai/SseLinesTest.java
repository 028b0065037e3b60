package org.snowcrash.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;

import org.junit.jupiter.api.Test;

import okio.Buffer;

class SseLinesTest {

    private static SseLines of(String body) {
        return new SseLines(new Buffer().writeUtf8(body), () -> { });
    }

    @Test
    void oneEventPerBlankLineWithTheSpaceAfterTheColonDropped() throws IOException {
        SseLines s = of("data: {\"a\":1}\n\ndata:{\"b\":2}\r\n\r\ndata: [DONE]\n\n");
        assertEquals("{\"a\":1}", s.next());
        assertEquals("{\"b\":2}", s.next());
        assertEquals("[DONE]", s.next());
        assertNull(s.next());
    }

    @Test
    void dataLinesAreJoinedAndOtherFieldsAndCommentsDropped() throws IOException {
        SseLines s = of(": keep-alive\n\nevent: x\nid: 7\ndata: one\ndata:  two\ndatum: no\nretry: 10\n\n");
        assertEquals("one\n two", s.next());
        assertNull(s.next());
    }

    @Test
    void anEventWithoutItsBlankLineAtTheEndIsDropped() throws IOException {
        SseLines s = of("data: whole\n\ndata: cut");
        assertEquals("whole", s.next());
        assertNull(s.next());
    }

    @Test
    void anEmptyDataFieldIsAnEmptyEvent() throws IOException {
        SseLines s = of("data\n\ndata:\n\n");
        assertEquals("", s.next());
        assertEquals("", s.next());
        assertNull(s.next());
    }
}
