package org.snowcrash.models.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import org.snowcrash.testkit.TinyLlama;

/**
 * Any bytes given to the reader give a value or a typed error: never an unchecked exception,
 * an OutOfMemoryError or a hang. Random bytes rarely get past the magic, so most cases mutate
 * a real model: flipped bits, overwritten counts and lengths, truncations.
 *
 * <p>Runs in its own JVM with {@code -Xmx64m} (see this module's pom), because "never an
 * OutOfMemoryError" only means something in a small heap; the large-file examples write files
 * of about 16 MB that used to exhaust such a heap.
 */
@Tag("small-heap")
// A hang guard for the whole class (a reader that loops on a hostile length), not a speed claim:
// the class reads a few thousand small files and ends in seconds on any machine.
@org.junit.jupiter.api.Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class GgufFuzzTest {

    private static final int FOUR_M = 4 << 20;

    private static final byte[] DEMO = demo();

    private static byte[] demo() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            TinyLlama.demo().writer("fuzz").write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Property(tries = 500)
    void randomBytes(@ForAll @Size(max = 200) byte[] bytes) {
        readsOrFailsCleanly(bytes);
    }

    @Property(tries = 500)
    void randomBytesBehindAValidHeader(@ForAll @Size(max = 300) byte[] tail, @ForAll @IntRange(min = 2, max = 3) int version) {
        byte[] b = new byte[8 + tail.length];
        b[0] = 'G'; b[1] = 'G'; b[2] = 'U'; b[3] = 'F';
        b[4] = (byte) version;
        System.arraycopy(tail, 0, b, 8, tail.length);
        readsOrFailsCleanly(b);
    }

    @Property(tries = 3000)
    void mutatedRealModel(@ForAll long seed, @ForAll @IntRange(min = 1, max = 8) int mutations) {
        Random r = new Random(seed);
        // Mutations go mostly to the header region, where the parser looks.
        int headerEnd = Math.min(DEMO.length, 12_000);
        byte[] b = Arrays.copyOf(DEMO, DEMO.length);
        for (int i = 0; i < mutations; i++) {
            int at = r.nextInt(headerEnd);
            switch (r.nextInt(4)) {
                case 0: b[at] ^= (byte) (1 << r.nextInt(8)); break;
                case 1: b[at] = (byte) 0xff; break;
                case 2: // a huge 64-bit count or length
                    for (int k = 0; k < 8 && at + k < b.length; k++) {
                        b[at + k] = (byte) (k == 7 ? 0x7f : 0xff);
                    }
                    break;
                default: b = Arrays.copyOf(b, r.nextInt(b.length));
            }
            headerEnd = Math.min(headerEnd, b.length);
            if (headerEnd == 0) {
                break;
            }
        }
        readsOrFailsCleanly(b);
    }

    @Example
    void runsInASixtyFourMegabyteHeap() {
        assertTrue(Runtime.getRuntime().maxMemory() <= 64L << 20,
                "this class must run in the -Xmx64m surefire execution, max heap is " + Runtime.getRuntime().maxMemory());
    }

    /**
     * One INT32 array of 4M elements: a 16 MB file. Boxed, it took over 80 MB of heap and ended
     * in an OutOfMemoryError here; held as an int[] it takes 16 MB and reads.
     */
    @Example
    void aSixteenMegabyteInt32ArrayIsReadInASmallHeap() throws IOException, GgufException {
        Path file = Files.createTempFile("gguf-int32-array", ".gguf");
        try {
            writeOneArray(file, GgufType.INT32, FOUR_M, (b, i) -> b.putInt(Integer.MAX_VALUE - i));
            assertTrue(Files.size(file) > 16L << 20);
            readsOrFailsCleanly(file);
            GgufValue.Array a = GgufReader.read(file).metadata().get("big.array").asArray();
            assertEquals(GgufType.INT32, a.elementType());
            assertEquals(FOUR_M, a.size());
            assertEquals(Integer.MAX_VALUE, a.getLong(0));
            assertEquals(Integer.MAX_VALUE - (FOUR_M - 1), a.getLong(FOUR_M - 1));
            assertEquals(Integer.MAX_VALUE - 12345L, a.elements().get(12345));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Two million one-byte strings (an 18 MB file) need over 100 MB of heap as String objects,
     * more than this heap has: the budget turns that into a typed error before it is allocated.
     */
    @Example
    void twoMillionShortStringsExceedTheHeapBudgetWithATypedError() throws IOException {
        Path file = Files.createTempFile("gguf-string-array", ".gguf");
        try {
            writeOneArray(file, GgufType.STRING, 2 << 20, (b, i) -> b.putLong(1).put((byte) ('a' + i % 26)));
            readsOrFailsCleanly(file);
            GgufException e = assertThrows(GgufException.class, () -> GgufReader.read(file));
            assertTrue(e.getMessage().contains("past its budget of " + GgufReader.defaultHeapBudget() + " bytes"), e.getMessage());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A 16 MB string: its bytes, the decoder's char buffer and the string together needed about 56 MB. */
    @Example
    void aSixteenMegabyteStringDoesNotExhaustASmallHeap() throws IOException {
        Path file = Files.createTempFile("gguf-long-string", ".gguf");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long len = GgufReader.MAX_STRING_BYTES;
            byte[] key = "big.string".getBytes(StandardCharsets.UTF_8);
            ByteBuffer head = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            head.putInt(GgufReader.MAGIC).putInt(3).putLong(0).putLong(1)
                    .putLong(key.length).put(key).putInt(GgufType.STRING.id()).putLong(len).flip();
            ch.write(head);
            ByteBuffer chunk = ByteBuffer.wrap("é".repeat(1 << 15).getBytes(StandardCharsets.UTF_8));
            for (long written = 0; written < len; written += chunk.capacity()) {
                ch.write(chunk.rewind());
            }
            ch.force(false);
            readsOrFailsCleanly(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private interface ElementWriter {
        void put(ByteBuffer b, int index);
    }

    /** A GGUF file with no tensors and one array, written in chunks so the test itself needs little heap. */
    private static void writeOneArray(Path file, GgufType elementType, int count, ElementWriter element) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            byte[] key = "big.array".getBytes(StandardCharsets.UTF_8);
            b.putInt(GgufReader.MAGIC).putInt(3).putLong(0).putLong(1);
            b.putLong(key.length).put(key).putInt(GgufType.ARRAY.id()).putInt(elementType.id()).putLong(count);
            for (int i = 0; i < count; i++) {
                if (b.remaining() < 16) {
                    b.flip();
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                    b.clear();
                }
                element.put(b, i);
            }
            b.flip();
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    private static void readsOrFailsCleanly(Path file) {
        try {
            GgufReader.read(file);
        } catch (GgufException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
        } catch (RuntimeException | Error e) {
            fail("the reader threw " + e + " instead of a GgufException", e);
        }
    }

    private static void readsOrFailsCleanly(byte[] bytes) {
        try {
            GgufReader.read(bytes);
        } catch (GgufException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
        } catch (RuntimeException | Error e) {
            fail("the reader threw " + e + " instead of a GgufException", e);
        }
    }
}
