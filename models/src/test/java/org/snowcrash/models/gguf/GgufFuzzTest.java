package org.snowcrash.models.gguf;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import org.snowcrash.models.TinyLlama;

/**
 * Any bytes given to the reader give a value or a typed error: never an unchecked exception,
 * an OutOfMemoryError or a hang. Random bytes rarely get past the magic, so most cases mutate
 * a real model: flipped bits, overwritten counts and lengths, truncations.
 */
class GgufFuzzTest {

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

    private static void readsOrFailsCleanly(byte[] bytes) {
        long t0 = System.nanoTime();
        try {
            GgufReader.read(bytes);
        } catch (GgufException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
        } catch (RuntimeException | Error e) {
            fail("the reader threw " + e + " instead of a GgufException", e);
        }
        // Not a timing assertion: a guard that turns a hang-like blow-up into a clear failure.
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "reading took over 5 s");
    }
}
