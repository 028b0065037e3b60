package org.snowcrash.models.gguf;

import org.snowcrash.testkit.GgufWriter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.junit.jupiter.api.Test;
import org.snowcrash.testkit.TinyLlama;

/** Compact array storage, the heap budget, and the UTF-8 check the budget relies on. */
class GgufArrayTest {

    @Test
    void everyElementTypeReadsBackThroughItsTypedGetter() throws Exception {
        GgufWriter w = new GgufWriter()
                .put("u8", GgufValue.array(GgufType.UINT8, List.of(0L, 255L)))
                .put("i8", GgufValue.array(GgufType.INT8, List.of(-128L, 127L)))
                .put("u16", GgufValue.array(GgufType.UINT16, List.of(65535L)))
                .put("i16", GgufValue.array(GgufType.INT16, List.of(-32768L)))
                .put("u32", GgufValue.array(GgufType.UINT32, List.of(0xffffffffL)))
                .put("i32", GgufValue.array(GgufType.INT32, List.of(-1L)))
                .put("u64", GgufValue.array(GgufType.UINT64, List.of(-1L)))
                .put("f32", GgufValue.array(GgufType.FLOAT32, List.of(1.5f)))
                .put("f64", GgufValue.array(GgufType.FLOAT64, List.of(-2.25)))
                .put("bool", GgufValue.array(GgufType.BOOL, List.of(true, false)))
                .put("str", GgufValue.array(GgufType.STRING, List.of("a", "ü", "日本")))
                .put("nested", GgufValue.array(GgufType.ARRAY, List.of(
                        GgufValue.Array.of(GgufType.INT32, List.of(1L, 2L)), GgufValue.Array.of(GgufType.STRING, List.of()))));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.write(out);
        GgufFile g = GgufReader.read(out.toByteArray());
        assertEquals(255, arr(g, "u8").getLong(1));
        assertEquals(-128, arr(g, "i8").getLong(0));
        assertEquals(65535, arr(g, "u16").getLong(0));
        assertEquals(-32768, arr(g, "i16").getLong(0));
        assertEquals(0xffffffffL, arr(g, "u32").getLong(0));
        assertEquals(-1, arr(g, "i32").getLong(0));
        assertEquals(-1, arr(g, "u64").getLong(0), "UINT64 gives its raw bits, like a scalar UINT64");
        assertEquals(1.5f, arr(g, "f32").getFloat(0));
        assertEquals(1.5, arr(g, "f32").getDouble(0));
        assertEquals(-2.25, arr(g, "f64").getDouble(0));
        assertTrue(arr(g, "bool").getBoolean(0));
        assertFalse(arr(g, "bool").getBoolean(1));
        assertEquals(List.of("a", "ü", "日本"), arr(g, "str").elements());
        assertEquals(List.of(1L, 2L), arr(g, "nested").getArray(0).elements());
        assertEquals(0, arr(g, "nested").getArray(1).size());
        assertEquals("[int32 x 1]", g.metadata().get("i32").display());
        assertThrows(IllegalStateException.class, () -> arr(g, "str").getLong(0));
        assertThrows(IllegalStateException.class, () -> arr(g, "i32").getString(0));
        assertThrows(UnsupportedOperationException.class, () -> arr(g, "str").elements().add("x"), "the view is read-only");
    }

    @Test
    void equalityIsByElementTypeAndContent() {
        assertEquals(GgufValue.Array.of(GgufType.INT32, List.of(1L, 2L)), GgufValue.Array.of(GgufType.INT32, List.of(1L, 2L)));
        assertEquals(GgufValue.Array.of(GgufType.INT32, List.of(1L, 2L)).hashCode(),
                GgufValue.Array.of(GgufType.INT32, List.of(1L, 2L)).hashCode());
        assertNotEquals(GgufValue.Array.of(GgufType.INT32, List.of(1L)), GgufValue.Array.of(GgufType.UINT32, List.of(1L)));
        assertNotEquals(GgufValue.Array.of(GgufType.INT32, List.of(1L)), GgufValue.Array.of(GgufType.INT32, List.of(2L)));
        assertEquals(GgufValue.Array.of(GgufType.FLOAT32, List.of(Float.NaN)), GgufValue.Array.of(GgufType.FLOAT32, List.of(Float.NaN)),
                "as Float.equals: NaN equals NaN");
    }

    @Test
    void elementsThatDoNotFitTheirTypeAreRefusedWhenTheArrayIsMade() {
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> GgufValue.array(GgufType.UINT8, List.of(1L, 256L)));
        assertEquals("UINT8 element 1 is out of range: 256", range.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GgufValue.array(GgufType.INT32, List.of(1L << 31)));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.array(GgufType.UINT32, List.of(-1L)));
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class,
                () -> GgufValue.array(GgufType.STRING, List.of(1L)));
        assertEquals("a STRING array cannot hold a Long (element 0)", kind.getMessage());
    }

    @Test
    void aHeaderOverItsHeapBudgetIsATypedErrorNamingTheBudget() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TinyLlama.demo().writer("budget").write(out);
        byte[] demo = out.toByteArray();
        GgufException e = assertThrows(GgufException.class, () -> GgufReader.read(demo, 20_000));
        assertTrue(e.getMessage().contains("would take the header's heap past its budget of 20000 bytes"), e.getMessage());
        assertEquals(TinyLlama.vocabulary().size(), GgufReader.read(demo, 200_000).vocabularySize().getAsLong(),
                "the demo's header fits in 200 kB");
    }

    @Test
    void theDefaultBudgetIsHalfTheHeapAtMost256MiB() {
        assertEquals(Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 2), GgufReader.defaultHeapBudget());
    }

    /** The check that decides what a string costs agrees with the JDK's strict decoder on any bytes. */
    @Property(tries = 3000)
    void utf8CheckAgreesWithTheStrictJdkDecoder(@ForAll("utf8ish") byte[] bytes) {
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            decoded = null;
        }
        int chars = Utf8.charCount(bytes, bytes.length);
        if (decoded == null) {
            assertEquals(-1, chars);
        } else {
            assertEquals(decoded.length(), chars);
            assertEquals(decoded.chars().allMatch(c -> c <= 0xff), Utf8.isLatin1(bytes, bytes.length));
        }
    }

    /** Bytes that are often valid UTF-8: pieces of real text, cut and mixed with random bytes. */
    @Provide
    Arbitrary<byte[]> utf8ish() {
        Arbitrary<byte[]> text = Arbitraries.strings().all().ofMaxLength(12).map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(6);
        return Arbitraries.oneOf(text, text, random).list().ofMaxSize(4).map(parts -> {
            ByteBuffer b = ByteBuffer.allocate(parts.stream().mapToInt(p -> p.length).sum()).order(ByteOrder.LITTLE_ENDIAN);
            parts.forEach(b::put);
            return b.array();
        });
    }

    private static GgufValue.Array arr(GgufFile g, String key) {
        return g.metadata().get(key).asArray();
    }
}
