package org.snowcrash.models;

import org.snowcrash.testkit.TinyLlama;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import org.junit.jupiter.api.Test;
import org.snowcrash.models.gguf.GgmlType;
import org.snowcrash.models.gguf.GgufException;
import org.snowcrash.models.gguf.GgufFile;
import org.snowcrash.models.gguf.GgufReader;
import org.snowcrash.models.gguf.GgufValue;
import org.snowcrash.models.gguf.TensorInfo;

/**
 * The estimate's parts against numbers worked out by hand, and against what llama-server b11669
 * itself reported for the same files ("model buffer size", "KV buffer size", "compute buffer size").
 */
class MemoryEstimatorTest {

    private static final long MIB = 1 << 20;
    private static final GgufFile DEMO = read(TinyLlama.demo());
    private static final GgufFile TIMING = read(TinyLlama.timing());

    private static GgufFile read(TinyLlama model) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            model.writer("estimate").write(out);
            return GgufReader.read(out.toByteArray());
        } catch (IOException | GgufException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MemoryEstimator.Settings oneSlot(int ctx, int batch) {
        return new MemoryEstimator.Settings(ctx, batch, 1, false, GgmlType.F16);
    }

    @Test
    void weightsAreTheTensorBytesWorkedOutByHand() {
        long v = TinyLlama.vocabulary().size();
        // demo: F32 throughout; embedding 64, feed-forward 128, 2 layers.
        long demoLayer = 2 * 64 * 4 + 4 * 64 * 64 * 4 + 3 * 64 * 128 * 4;
        long demo = 2 * 64 * v * 4 + 64 * 4 + 2 * demoLayer;
        assertEquals(demo, MemoryEstimator.estimate(DEMO, oneSlot(512, 128)).weights());
        // timing: F16 matrices, F32 norms; embedding 512, feed-forward 1536, 8 layers.
        long timingLayer = 2 * 512 * 4 + 4 * 512 * 512 * 2 + 3 * 512 * 1536 * 2;
        long timing = 2 * 512 * v * 2 + 512 * 4 + 8 * timingLayer;
        assertEquals(timing, MemoryEstimator.estimate(TIMING, oneSlot(512, 128)).weights());
        assertEquals(55_164_928, timing, "llama-server's 'CPU model buffer size = 52.61 MiB'");
    }

    @Test
    void kvCacheForKnownShapesMatchesWhatTheServerAllocated() {
        // 2 (K and V) x 8 layers x cells x 512 x 2 bytes: llama-server said 8.00 and 32.00 MiB.
        assertEquals(8 * MIB, MemoryEstimator.estimate(TIMING, oneSlot(512, 128)).kvCache());
        assertEquals(32 * MIB, MemoryEstimator.estimate(TIMING, oneSlot(2048, 128)).kvCache());
        assertEquals(8 * MIB, MemoryEstimator.estimate(TIMING, oneSlot(300, 128)).kvCache(), "300 cells are padded to 512");
        assertEquals(16 * MIB, MemoryEstimator.estimate(TIMING, new MemoryEstimator.Settings(512, 128, 4, false, GgmlType.F16)).kvCache(),
                "-np 4 without a unified cache: 4 streams of 128 cells, each padded to 256");
        assertEquals(8 * MIB, MemoryEstimator.estimate(TIMING, MemoryEstimator.Settings.of(512, 128)).kvCache(),
                "slots left to the server: 4 slots sharing one unified stream");
        assertEquals(4_456_448, MemoryEstimator.estimate(TIMING, oneSlot(512, 128).withKvCacheType(GgmlType.Q8_0)).kvCache(),
                "q8_0: 34 bytes per 32 values, the server's 4.25 MiB");
        // demo: 2 x 2 layers x 512 cells x 64 x 2 bytes = 0.25 MiB, as the server said.
        assertEquals(MIB / 4, MemoryEstimator.estimate(DEMO, oneSlot(512, 128)).kvCache());
    }

    @Test
    void kvCacheUsesTheKvHeadsOfGroupedQueryAttention() {
        // 32 layers, 32 query heads of 128, 8 KV heads: 2 x 32 x 4096 cells x 8 x 128 x 2 bytes = 512 MiB (Llama 3 8B at 4k).
        GgufFile gqa = header(Map.of("llama.block_count", 32L, "llama.embedding_length", 4096L, "llama.feed_forward_length", 14336L,
                "llama.attention.head_count", 32L, "llama.attention.head_count_kv", 8L));
        assertEquals(512 * MIB, MemoryEstimator.estimate(gqa, oneSlot(4096, 512)).kvCache());
    }

    @Test
    void computeBufferMatchesTheServersReservationForBothBatchSizes() {
        // 4 x ub x (5 x 512 + 3 x 1536) + 2 x ub x 512: the server said 3.63 MiB (ub 128) and 14.52 MiB (ub 512).
        assertEquals(3_801_088, MemoryEstimator.estimate(TIMING, oneSlot(512, 128)).computeBuffer());
        assertEquals(15_204_352, MemoryEstimator.estimate(TIMING, oneSlot(512, 512)).computeBuffer());
        assertEquals(15_204_352, MemoryEstimator.estimate(TIMING, oneSlot(512, 2048)).computeBuffer(), "the micro-batch stops at 512");
    }

    @Test
    void totalIsTheSumOfItsParts() {
        MemoryEstimate e = MemoryEstimator.estimate(TIMING, oneSlot(512, 128));
        assertEquals(e.weights() + e.kvCache() + e.computeBuffer() + e.runtime(), e.total());
        assertEquals("~68.3 MiB (weights 52.6 MiB, KV cache 8.0 MiB, compute 3.6 MiB, runtime 4.0 MiB)", e.describe());
    }

    @Property(tries = 300)
    void moreContextNeverNeedsLessMemory(@ForAll @IntRange(min = 1, max = 200_000) int a, @ForAll @IntRange(min = 1, max = 200_000) int b,
                                         @ForAll @IntRange(min = 1, max = 4096) int batch, @ForAll @IntRange(min = 1, max = 8) int slots,
                                         @ForAll boolean unified) {
        int lo = Math.min(a, b);
        int hi = Math.max(a, b);
        MemoryEstimate small = MemoryEstimator.estimate(TIMING, new MemoryEstimator.Settings(lo, batch, slots, unified, GgmlType.F16));
        MemoryEstimate large = MemoryEstimator.estimate(TIMING, new MemoryEstimator.Settings(hi, batch, slots, unified, GgmlType.F16));
        assertTrue(small.kvCache() <= large.kvCache());
        assertTrue(small.computeBuffer() <= large.computeBuffer());
        assertTrue(small.total() <= large.total());
        assertEquals(small.weights(), large.weights());
    }

    @Test
    void aHeaderWithoutWhatTheEstimateNeedsNamesTheKey() {
        GgufFile noHeads = header(Map.of("llama.block_count", 2L, "llama.embedding_length", 64L));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MemoryEstimator.estimate(noHeads, oneSlot(512, 128)));
        assertEquals("no llama.attention.head_count in the file", e.getMessage());
    }

    /** Hostile sizes in a header give a clear IllegalArgumentException, never an overflow or a long loop. */
    @Property(tries = 300)
    void anySizesInAHeaderGiveAnEstimateOrAClearError(@ForAll @LongRange(min = -1, max = 1L << 40) long layers,
                                                       @ForAll @LongRange(min = -1, max = 1L << 40) long width,
                                                       @ForAll @LongRange(min = -1, max = 1L << 40) long heads,
                                                       @ForAll @LongRange(min = -1, max = 1L << 40) long headsKv,
                                                       @ForAll @LongRange(min = -1, max = 1L << 40) long keyLength,
                                                       @ForAll @IntRange(min = 1) int ctx) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("llama.block_count", layers);
        m.put("llama.embedding_length", width);
        m.put("llama.attention.head_count", heads);
        m.put("llama.attention.head_count_kv", headsKv);
        m.put("llama.attention.key_length", keyLength);
        GgufFile g = header(m);
        try {
            MemoryEstimate e = MemoryEstimator.estimate(g, oneSlot(ctx, 512));
            assertTrue(e.total() >= 0);
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().startsWith("llama.") || expected.getMessage().contains("overflows"), expected.getMessage());
        }
    }

    /** A llama header with these integer keys (UINT32 when they fit, else INT64) and no tensors. */
    private static GgufFile header(Map<String, ?> ints) {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string("llama"));
        ints.forEach((k, v) -> m.put(k, new GgufValue(org.snowcrash.models.gguf.GgufType.INT64, (Long) v)));
        return new GgufFile(3, m, List.<TensorInfo>of(), 32, 0, 0);
    }
}
