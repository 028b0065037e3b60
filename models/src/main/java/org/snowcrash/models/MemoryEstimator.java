package org.snowcrash.models;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.snowcrash.models.gguf.GgmlType;
import org.snowcrash.models.gguf.GgufFile;
import org.snowcrash.models.gguf.GgufValue;
import org.snowcrash.models.gguf.TensorInfo;

/**
 * Estimates llama-server's memory for a model from its GGUF header and the server's settings. A
 * pure function: the same header and settings give the same estimate; nothing is read or started.
 *
 * <p>The parts, for llama.cpp as Debian packages it (build 11669, CPU, flash attention left at
 * its default {@code auto}, which is on):
 * <ul>
 *   <li><b>weights</b>: the sum of every tensor's bytes from its ggml type and shape (blocks of
 *       quantized types included). Exact: equal to the server's "model buffer size".</li>
 *   <li><b>KV cache</b>: for each layer, cells × (n_head_kv × key_length + n_head_kv ×
 *       value_length) elements of the cache type (f16: 2 bytes; q8_0: 34 bytes per 32). Cells:
 *       the context rounded up to a multiple of 256; with a unified cache (the server's default
 *       when it picks the slot count, as Snowcrash lets it) one such stream shared by all slots,
 *       otherwise one stream of (context / slots) rounded up to 256 per slot. Exact against the
 *       server's "KV buffer size".</li>
 *   <li><b>compute buffer</b>: 4 × ubatch × (5 × n_embd + 3 × n_ff) bytes for the f32
 *       activations of one micro-batch, plus 2 × ubatch × cells for the f16 attention mask, where
 *       ubatch = min(batch size, 512). Fitted to the server's own "compute buffer size" on five
 *       shapes, from 64 to 1024 wide, batches 128 and 512, contexts 512 and 2048: within
 *       0.02 MiB on all but the smallest (0.47 estimated, 0.41 reported). The vocabulary does not
 *       enter: with 32,000 tokens the reported buffer matched the formula without it.</li>
 *   <li><b>runtime</b>: the logits buffer (slots × n_vocab × 4 bytes) plus a fixed
 *       {@value #RUNTIME_BASE_MIB} MiB and {@value #RUNTIME_BYTES_PER_TOKEN} bytes per vocabulary
 *       token for what the server allocates beyond its buffers (tokenizer tables, threads, HTTP
 *       server, allocator slack), fitted to container memory measured with {@code docker stats}
 *       minus the server's buffers (2.8 to 10.0 MiB on five shapes): off by -1.9 to +1.3 MiB.</li>
 * </ul>
 *
 * <p>In total the estimate was 0.98 to 1.02 of the measured container memory for models above
 * 50 MiB and 0.75 to 0.81 for the 7 MiB demo model (README, "Memory estimate"). It is the memory
 * of a loaded server: the first request adds a few MiB, and the server's prompt cache
 * ({@code --cache-ram}, 8 GiB by default) grows with every distinct prompt after that.
 *
 * <p>Not modelled: grouped-query attention in the compute buffer (only n_head_kv = n_head shapes
 * were measured; the KV cache does use n_head_kv), sliding-window attention (Gemma 2/3 keep less KV for such layers, so the
 * estimate is high), recurrent layers (Mamba), flash attention turned off (a larger compute
 * buffer), multimodal projectors, and mmap: with the default load mode the weights are file pages,
 * which the kernel may charge to whoever read the file first, so a container can report less.
 */
public final class MemoryEstimator {

    /** The server's default micro-batch ({@code -ub}); it is capped by the batch size. */
    public static final int DEFAULT_UBATCH = 512;
    /** llama.cpp rounds each KV stream's cells up to a multiple of this. */
    public static final int KV_CELL_PADDING = 256;
    /** The slot count llama-server b11669 picks when {@code -np} is not given. */
    public static final int AUTO_SLOTS = 4;
    static final int RUNTIME_BASE_MIB = 4;
    static final int RUNTIME_BYTES_PER_TOKEN = 160;

    /** Sanity bounds on header values, far above any real model (2^16 layers, 2^24 wide). */
    private static final long MAX_LAYERS = 1L << 16;
    private static final long MAX_WIDTH = 1L << 24;
    private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d+)\\..*");

    private MemoryEstimator() {
    }

    /**
     * The server settings that decide memory.
     *
     * @param contextSize    {@code -c}
     * @param batchSize      {@code -b}; the micro-batch is min(this, 512)
     * @param slots          parallel slots ({@code -np})
     * @param unifiedKvCache whether the slots share one KV stream (llama-server's default when it picks the slots)
     * @param kvCacheType    {@code -ctk}/{@code -ctv}: F16 (default), Q8_0, ...
     */
    public record Settings(int contextSize, int batchSize, int slots, boolean unifiedKvCache, GgmlType kvCacheType) {
        public Settings {
            if (contextSize < 1 || batchSize < 1 || slots < 1) {
                throw new IllegalArgumentException("context size, batch size and slots must be positive");
            }
            Objects.requireNonNull(kvCacheType);
        }

        /** As Snowcrash starts llama-server: {@code -c} and {@code -b} given, the slots left to the server (4, one unified cache), f16 cache. */
        public static Settings of(int contextSize, int batchSize) {
            return new Settings(contextSize, batchSize, AUTO_SLOTS, true, GgmlType.F16);
        }

        public Settings withSlots(int n, boolean unified) {
            return new Settings(contextSize, batchSize, n, unified, kvCacheType);
        }

        public Settings withKvCacheType(GgmlType type) {
            return new Settings(contextSize, batchSize, slots, unifiedKvCache, type);
        }

        public Settings withContextSize(int n) {
            return new Settings(n, batchSize, slots, unifiedKvCache, kvCacheType);
        }

        int ubatch() {
            return Math.min(batchSize, DEFAULT_UBATCH);
        }

        /** KV cells per stream. */
        long cellsPerStream() {
            long perStream = unifiedKvCache ? contextSize : Math.max(1, contextSize / slots);
            return roundUp(perStream, KV_CELL_PADDING);
        }

        long streams() {
            return unifiedKvCache ? 1 : slots;
        }
    }

    /**
     * The estimate for a model file and server settings.
     *
     * @throws IllegalArgumentException when the header lacks what the estimate needs (the message names the key)
     */
    public static MemoryEstimate estimate(GgufFile file, Settings settings) {
        Shape s = Shape.of(file);
        try {
            long weights = 0;
            for (TensorInfo t : file.tensors()) {
                weights = Math.addExact(weights, t.byteSize());
            }
            long kv = 0;
            for (int layer = 0; layer < s.layers; layer++) {
                kv = Math.addExact(kv, kvPerLayer(s, layer, settings));
            }
            return new MemoryEstimate(weights, kv, computeBuffer(s, settings), runtime(s, settings));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("the memory estimate overflows: the header's sizes are impossibly large");
        }
    }

    /**
     * What the GPU layer planner needs: per repeating layer its weights and KV cache, the output
     * layer's weights, and as reserve the compute buffer and {@link GpuLayerPlanner#GPU_RUNTIME_RESERVE},
     * which go to the GPU once any layer does.
     *
     * @throws IllegalArgumentException when the header lacks what the estimate needs
     */
    public static GpuLayerPlanner.Model layers(GgufFile file, Settings settings) {
        try {
            return layers(Shape.of(file), file, settings);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("the memory estimate overflows: the header's sizes are impossibly large");
        }
    }

    private static GpuLayerPlanner.Model layers(Shape s, GgufFile file, Settings settings) {
        long[] blocks = new long[s.layers];
        long output = 0;
        long tokenEmbedding = 0;
        boolean hasOutput = false;
        for (TensorInfo t : file.tensors()) {
            Matcher m = BLOCK.matcher(t.name());
            if (m.matches()) {
                int i = Integer.parseInt(m.group(1));
                if (i < s.layers) {
                    blocks[i] = Math.addExact(blocks[i], t.byteSize());
                }
            } else if (t.name().startsWith("output")) {
                output = Math.addExact(output, t.byteSize());
                hasOutput |= t.name().equals("output.weight");
            } else if (t.name().equals("token_embd.weight")) {
                tokenEmbedding = t.byteSize();
            }
        }
        if (!hasOutput) {
            // Tied embeddings: llama.cpp puts a copy of token_embd in the output layer's place.
            output = Math.addExact(output, tokenEmbedding);
        }
        List<Long> perLayer = new ArrayList<>(s.layers);
        for (int i = 0; i < s.layers; i++) {
            perLayer.add(Math.addExact(blocks[i], kvPerLayer(s, i, settings)));
        }
        return new GpuLayerPlanner.Model(perLayer, output,
                Math.addExact(computeBuffer(s, settings), GpuLayerPlanner.GPU_RUNTIME_RESERVE));
    }

    private static long kvPerLayer(Shape s, int layer, Settings settings) {
        long headsKv = s.headsKv.get(layer);
        long cells = Math.multiplyExact(settings.streams(), settings.cellsPerStream());
        long row = Math.addExact(rowBytes(Math.multiplyExact(headsKv, s.keyLength), settings.kvCacheType()),
                rowBytes(Math.multiplyExact(headsKv, s.valueLength), settings.kvCacheType()));
        return Math.multiplyExact(cells, row);
    }

    private static long computeBuffer(Shape s, Settings settings) {
        long ub = settings.ubatch();
        // Widths are at most 2^24 and ub at most 512: the first product stays below 2^38.
        return Math.addExact(4 * ub * (5 * s.embedding + 3 * s.feedForward), Math.multiplyExact(2 * ub, settings.cellsPerStream()));
    }

    private static long runtime(Shape s, Settings settings) {
        long logits = Math.multiplyExact((long) settings.slots(), s.vocabulary * 4);
        return Math.addExact(logits, ((long) RUNTIME_BASE_MIB << 20) + s.vocabulary * RUNTIME_BYTES_PER_TOKEN);
    }

    /** Bytes of {@code elements} values of a type, whole blocks. */
    private static long rowBytes(long elements, GgmlType type) {
        return (elements + type.blockSize() - 1) / type.blockSize() * type.typeSize();
    }

    static long roundUp(long n, long multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    /** The numbers of a model that memory depends on, read from its header. */
    private static final class Shape {
        int layers;
        long embedding;
        long feedForward;
        long keyLength;
        long valueLength;
        List<Long> headsKv;
        long vocabulary;

        static Shape of(GgufFile f) {
            String arch = f.architecture().orElseThrow(() -> new IllegalArgumentException("no general.architecture"));
            String p = arch + ".";
            Shape s = new Shape();
            // Bounds far above any real model keep every product below Long.MAX_VALUE.
            s.layers = (int) bounded(p + "block_count", f.integer(p + "block_count").orElseThrow(() -> missing(p + "block_count")), MAX_LAYERS);
            s.embedding = bounded(p + "embedding_length",
                    f.integer(p + "embedding_length").orElseThrow(() -> missing(p + "embedding_length")), MAX_WIDTH);
            s.feedForward = bounded(p + "feed_forward_length", maxOf(f, p + "feed_forward_length").orElse(4 * s.embedding), MAX_WIDTH);
            long heads = bounded(p + "attention.head_count",
                    maxOf(f, p + "attention.head_count").orElseThrow(() -> missing(p + "attention.head_count")), MAX_WIDTH);
            if (heads == 0) {
                throw new IllegalArgumentException(p + "attention.head_count must be positive");
            }
            s.keyLength = bounded(p + "attention.key_length", f.integer(p + "attention.key_length").orElse(s.embedding / heads), MAX_WIDTH);
            s.valueLength = bounded(p + "attention.value_length", f.integer(p + "attention.value_length").orElse(s.embedding / heads), MAX_WIDTH);
            s.headsKv = perLayer(f, p + "attention.head_count_kv", s.layers, heads);
            s.vocabulary = bounded("vocabulary size", f.vocabularySize().orElse(f.integer(p + "vocab_size").orElse(0)), MAX_WIDTH);
            return s;
        }

        private static long bounded(String key, long v, long max) {
            if (v < 0 || v > max) {
                throw new IllegalArgumentException(key + " is out of range: " + v + " (0 to " + max + ")");
            }
            return v;
        }

        private static IllegalArgumentException missing(String key) {
            return new IllegalArgumentException("no " + key + " in the file");
        }

        /** An integer, or the largest element of an integer array (some models give one per layer). */
        private static OptionalLong maxOf(GgufFile f, String key) {
            GgufValue v = f.metadata().get(key);
            if (v == null) {
                return OptionalLong.empty();
            }
            if (v.value() instanceof Long) {
                return OptionalLong.of((Long) v.value());
            }
            if (v.value() instanceof GgufValue.Array && v.asArray().elementType().isInteger() && v.asArray().size() > 0) {
                GgufValue.Array a = v.asArray();
                long max = Long.MIN_VALUE;
                for (int i = 0; i < a.size(); i++) {
                    max = Math.max(max, a.getLong(i));
                }
                return OptionalLong.of(max);
            }
            return OptionalLong.empty();
        }

        /** A value per layer: one integer for all, an array with one per layer, or the default. */
        private static List<Long> perLayer(GgufFile f, String key, int layers, long fallback) {
            GgufValue v = f.metadata().get(key);
            List<Long> out = new ArrayList<>(layers);
            for (int i = 0; i < layers; i++) {
                long x = fallback;
                if (v != null && v.value() instanceof Long) {
                    x = (Long) v.value();
                } else if (v != null && v.value() instanceof GgufValue.Array && v.asArray().elementType().isInteger()
                        && i < v.asArray().size()) {
                    x = v.asArray().getLong(i);
                }
                out.add(bounded(key, x, MAX_WIDTH));
            }
            return out;
        }
    }
}
