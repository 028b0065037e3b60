package org.snowcrash.models.gguf;

import org.snowcrash.testkit.GgufWriter;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.testkit.TinyLlama;

class GgufRoundTripTest {

    @TempDir
    Path dir;

    @Test
    void demoModelReadsBackWithTheShapeLlamaCppNeeds() throws Exception {
        Path f = dir.resolve("demo.gguf");
        TinyLlama.demo().write(f);
        GgufFile g = GgufReader.read(f);
        assertEquals(3, g.version());
        assertEquals("llama", g.architecture().orElseThrow());
        assertEquals(64, g.archInteger("embedding_length").getAsLong());
        assertEquals(2, g.archInteger("block_count").getAsLong());
        assertEquals(TinyLlama.vocabulary().size(), g.vocabularySize().getAsLong());
        assertEquals(3 + 2 * 9, g.tensors().size());
        TensorInfo embd = g.tensors().get(0);
        assertEquals("token_embd.weight", embd.name());
        assertArrayEquals(new long[] {64, TinyLlama.vocabulary().size()}, embd.dimensions(), "fastest-first");
        assertEquals("0 (F32)", g.fileType().orElseThrow());
        assertEquals(0, g.dataOffset() % 32);
        long end = g.tensors().stream().mapToLong(t -> g.dataOffset() + t.offset() + t.byteSize()).max().orElseThrow();
        assertTrue(end <= g.fileSize());
    }

    @Test
    void controlTokensAreAddedAfterTheVocabularyAsControlTokens() throws Exception {
        Path f = dir.resolve("markers.gguf");
        TinyLlama.demo().writer("markers", List.of("<|im_start|>", "<|im_end|>")).write(f);
        GgufFile g = GgufReader.read(f);
        int words = TinyLlama.vocabulary().size();
        assertEquals(words + 2, g.vocabularySize().getAsLong());
        List<Object> tokens = ((GgufValue.Array) g.metadata().get("tokenizer.ggml.tokens").value()).elements();
        List<Object> types = ((GgufValue.Array) g.metadata().get("tokenizer.ggml.token_type").value()).elements();
        assertEquals(List.of("<|im_start|>", "<|im_end|>"), tokens.subList(words, words + 2));
        assertEquals(3L, ((Number) types.get(words)).longValue(), "control");
        assertEquals(1L, ((Number) types.get(words - 1)).longValue(), "the word pieces stay normal");
        assertArrayEquals(new long[] {64, words + 2}, g.tensors().get(0).dimensions(), "the embedding has a row for each");
    }

    @Test
    void randomModelCannotEndItsAnswerEarlyBecauseTheEndTokenRowIsZero() throws Exception {
        Path f = dir.resolve("demo.gguf");
        TinyLlama.demo().write(f);
        GgufFile g = GgufReader.read(f);
        int eos = (int) g.integer("tokenizer.ggml.eos_token_id").orElseThrow();
        int[] zeros = zerosPerOutputRow(f, g);
        for (int row = 0; row < zeros.length; row++) {
            // the end token's logit is always 0, the others spread around it (see TinyLlama)
            assertEquals(row == eos ? 64 : 0, zeros[row], "zeros in output row " + row);
        }
    }

    @Test
    void anEndOfGenerationMarkerCannotEndItsAnswerEarlyEither() throws Exception {
        Path f = dir.resolve("markers.gguf");
        TinyLlama.demo().writer("markers", List.of("<|im_start|>", "<|im_end|>")).write(f);
        GgufFile g = GgufReader.read(f);
        int words = TinyLlama.vocabulary().size();
        int[] zeros = zerosPerOutputRow(f, g);
        // llama.cpp ends a generation at <|im_end|> as at </s>; <|im_start|> is an ordinary control token.
        assertEquals(64, zeros[2], "</s>");
        assertEquals(0, zeros[words], "<|im_start|>");
        assertEquals(64, zeros[words + 1], "<|im_end|>");
        for (int row = 0; row < words; row++) {
            assertEquals(row == 2 ? 64 : 0, zeros[row], "zeros in output row " + row);
        }
    }

    /** How many of each output row's weights are zero (F32 models). */
    private static int[] zerosPerOutputRow(Path f, GgufFile g) throws IOException {
        TensorInfo output = g.tensors().stream().filter(t -> t.name().equals("output.weight")).findFirst().orElseThrow();
        int width = (int) output.dimensions()[0];
        int rows = (int) output.dimensions()[1];
        ByteBuffer data = ByteBuffer.wrap(java.nio.file.Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        int[] zeros = new int[rows];
        for (int row = 0; row < rows; row++) {
            for (int i = 0; i < width; i++) {
                if (data.getFloat((int) (g.dataOffset() + output.offset()) + (row * width + i) * 4) == 0f) {
                    zeros[row]++;
                }
            }
        }
        return zeros;
    }

    @Test
    void truncatedFileIsCaughtWithATypedError() throws Exception {
        Path f = dir.resolve("demo.gguf");
        TinyLlama.demo().write(f);
        byte[] all = java.nio.file.Files.readAllBytes(f);
        byte[] cut = java.util.Arrays.copyOf(all, all.length - 1000);
        GgufException e = assertThrows(GgufException.class, () -> GgufReader.read(cut));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void hostileCountsAreRejectedBeforeAllocation() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(GgufReader.MAGIC).putInt(3).putLong(0).putLong(1);
        b.putLong(3).put("key".getBytes()).putInt(GgufType.ARRAY.id()).putInt(GgufType.UINT64.id()).putLong(Long.MAX_VALUE / 2);
        GgufException e = assertThrows(GgufException.class, () -> GgufReader.read(java.util.Arrays.copyOf(b.array(), b.position())));
        assertTrue(e.getMessage().contains("array length"), e.getMessage());

        ByteBuffer s = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        s.putInt(GgufReader.MAGIC).putInt(2).putLong(0).putLong(1).putLong(-1L).putLong(0).putLong(0);
        GgufException e2 = assertThrows(GgufException.class, () -> GgufReader.read(java.util.Arrays.copyOf(s.array(), s.position())));
        assertTrue(e2.getMessage().contains("string length"), e2.getMessage());
    }

    @Test
    void versionOneAndBigEndianAreNamed() {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(GgufReader.MAGIC).putInt(1).putLong(0).putLong(0);
        assertTrue(assertThrows(GgufException.class, () -> GgufReader.read(b.array())).getMessage().contains("version 1"));
        ByteBuffer be = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        be.putInt(GgufReader.MAGIC).putInt(Integer.reverseBytes(3)).putLong(0).putLong(0);
        assertTrue(assertThrows(GgufException.class, () -> GgufReader.read(be.array())).getMessage().contains("big-endian"));
    }

    /** What is written is what is read: metadata of every type, tensors, offsets. */
    @Property(tries = 200)
    void writeThenReadReturnsWhatWasWritten(@ForAll("metadata") Map<String, GgufValue> metadata,
                                            @ForAll @IntRange(min = 0, max = 5) int tensorCount,
                                            @ForAll @IntRange(min = 0, max = 3) int alignmentPower) throws IOException, GgufException {
        GgufWriter w = new GgufWriter();
        long alignment = 32L << alignmentPower;
        if (alignmentPower > 0) {
            w.put("general.alignment", GgufValue.u32(alignment));
        }
        metadata.forEach(w::put);
        List<long[]> dims = new ArrayList<>();
        for (int i = 0; i < tensorCount; i++) {
            long[] d = i % 2 == 0 ? new long[] {32L * (i + 1)} : new long[] {32, i + 1, 2};
            dims.add(d);
            GgmlType type = i % 3 == 0 ? GgmlType.F32 : i % 3 == 1 ? GgmlType.F16 : GgmlType.Q8_0;
            long size = new TensorInfo("t", d, type, 0).byteSize();
            w.tensor("t" + i, type, d, new byte[(int) size]);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.write(out);
        GgufFile g = GgufReader.read(out.toByteArray());
        Map<String, GgufValue> expected = new LinkedHashMap<>();
        if (alignmentPower > 0) {
            expected.put("general.alignment", GgufValue.u32(alignment));
        }
        expected.putAll(metadata);
        assertEquals(expected, g.metadata());
        assertEquals(alignment, g.alignment());
        assertEquals(tensorCount, g.tensors().size());
        for (int i = 0; i < tensorCount; i++) {
            assertEquals("t" + i, g.tensors().get(i).name());
            assertArrayEquals(dims.get(i), g.tensors().get(i).dimensions());
            assertEquals(0, g.tensors().get(i).offset() % alignment);
        }
    }

    @Provide
    Arbitrary<Map<String, GgufValue>> metadata() {
        Arbitrary<String> keys = Arbitraries.strings().withCharRange('a', 'z').withChars('.', '_').ofMinLength(1).ofMaxLength(20)
                .filter(k -> !k.equals("general.alignment"));
        Arbitrary<GgufValue> values = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 255).map(v -> new GgufValue(GgufType.UINT8, v)),
                Arbitraries.longs().between(-128, 127).map(v -> new GgufValue(GgufType.INT8, v)),
                Arbitraries.longs().between(0, 65535).map(v -> new GgufValue(GgufType.UINT16, v)),
                Arbitraries.longs().between(-32768, 32767).map(v -> new GgufValue(GgufType.INT16, v)),
                Arbitraries.longs().between(0, 0xffffffffL).map(v -> new GgufValue(GgufType.UINT32, v)),
                Arbitraries.integers().map(v -> new GgufValue(GgufType.INT32, (long) v)),
                Arbitraries.longs().map(v -> new GgufValue(GgufType.INT64, v)),
                Arbitraries.longs().map(v -> new GgufValue(GgufType.UINT64, v)),
                Arbitraries.floats().map(v -> new GgufValue(GgufType.FLOAT32, v)),
                Arbitraries.doubles().map(v -> new GgufValue(GgufType.FLOAT64, v)),
                Arbitraries.of(true, false).map(GgufValue::bool),
                Arbitraries.strings().ofMaxLength(40).map(GgufValue::string),
                Arbitraries.strings().ofMaxLength(8).list().ofMaxSize(10).map(l -> GgufValue.array(GgufType.STRING, l)),
                Arbitraries.integers().map(i -> (long) i).list().ofMaxSize(10).map(l -> GgufValue.array(GgufType.INT32, l)));
        return Combinators.combine(keys, values).as(Map::entry).list().ofMaxSize(8).map(entries -> {
            Map<String, GgufValue> m = new LinkedHashMap<>();
            entries.forEach(e -> m.putIfAbsent(e.getKey(), e.getValue()));
            return m;
        });
    }
}
