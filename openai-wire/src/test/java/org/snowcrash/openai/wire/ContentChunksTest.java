package org.snowcrash.openai.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The content chunks written once and filled per piece are the very JSON the tree path writes. */
class ContentChunksTest {

    private static final ResponseJson WIRE = new ResponseJson(new ObjectMapper());

    @Provide
    Arbitrary<String> text() {
        // Every kind of character a model may send: control characters, quotes and backslashes,
        // non-ASCII, lone and paired surrogates, the marker's own characters.
        return Arbitraries.oneOf(Arbitraries.strings().all(), Arbitraries.strings().withChars("\"\\\n\r\t\u0000\u0001\u001f\u2028é😀/"));
    }

    @Property(tries = 2000)
    void aPieceIsWrittenExactlyAsTheTreeWritesIt(@ForAll("text") String content, @ForAll("text") String model,
                                                 @ForAll boolean includeUsage, @ForAll boolean withBackend) {
        Completion c = new Completion("chatcmpl-0123456789abcdef", 1765161600L, model);
        Optional<String> backend = withBackend ? Optional.of("docker") : Optional.empty();
        assertEquals(WIRE.chunk(c, backend, false, content, null, includeUsage),
                WIRE.contentChunks(c, backend, includeUsage).of(content));
    }

    @Example
    void aModelNamedLikeTheMarkerDoesNotMoveTheText() {
        Completion c = new Completion("chatcmpl-1", 1L, "\u0001snowcrash-content\u0001");
        assertEquals(WIRE.chunk(c, Optional.of("docker"), false, "hi", null, true),
                WIRE.contentChunks(c, Optional.of("docker"), true).of("hi"));
    }
}
