package org.snowcrash.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.snowcrash.models.gguf.GgmlType;
import org.snowcrash.models.gguf.GgufType;
import org.snowcrash.models.gguf.GgufValue;

/**
 * Writes a small llama-architecture model with random weights that real llama.cpp loads: a
 * byte-level SentencePiece vocabulary ({@code <unk>}, {@code <s>}, {@code </s>}, the 256
 * {@code <0xNN>} byte tokens and a few word pieces) and a ChatML chat template.
 *
 * <p>Its answers are noise. It exists so that a fresh machine runs the whole path, from
 * catalog to container to streamed tokens, without downloading anything, and so tests have
 * models of a known shape. The same seed gives the same bytes.
 *
 * @param layers      transformer blocks
 * @param embedding   embedding length (a multiple of {@code heads})
 * @param heads       attention heads
 * @param feedForward feed-forward length
 * @param contextSize trained context length written into the file
 * @param type        F32 or F16 for the weight matrices (norms stay F32, as llama.cpp expects)
 * @param seed        random seed of the weights
 */
public record TinyLlama(int layers, int embedding, int heads, int feedForward, int contextSize,
                        GgmlType type, long seed) {

    /** The ChatML template: llama.cpp recognises it by its {@code <|im_start|>} marker. */
    public static final String CHATML_TEMPLATE =
            "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
                    + " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
                    + "{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /** The id of {@code </s>}, the end-of-sequence token. */
    private static final int EOS = 2;

    /**
     * Control tokens that llama.cpp reads as the end of a generation by their text (its vocabulary
     * loader marks them so whatever the file says): {@code <|im_end|>} closes a ChatML message.
     */
    private static final Set<String> END_OF_GENERATION = Set.of("<|im_end|>");

    private static final String[] WORDS = {
        "▁", "▁the", "▁a", "▁is", "▁I", "▁you", "▁and", "▁to", "▁of", "▁it", "▁hello", "▁world",
        "▁robot", "▁can", "▁see", "▁yes", "▁no", "▁what", "▁how", "▁model", ".", ",", "?", "!",
        "e", "t", "a", "o", "i", "n", "s", "r", "h", "l", "d", "u",
    };

    public TinyLlama {
        if (layers < 1 || embedding < 1 || heads < 1 || feedForward < 1 || contextSize < 1) {
            throw new IllegalArgumentException("all sizes must be positive");
        }
        if (embedding % heads != 0) {
            throw new IllegalArgumentException("embedding must be a multiple of heads");
        }
        if (type != GgmlType.F32 && type != GgmlType.F16) {
            throw new IllegalArgumentException("only F32 and F16 weights are written");
        }
    }

    /** The demo model: 2 layers, embedding 64, F32, about half a megabyte. */
    public static TinyLlama demo() {
        return new TinyLlama(2, 64, 4, 128, 2048, GgmlType.F32, 42);
    }

    /** A model large enough for timing (8 layers, embedding 512, F16, about 50 MB). */
    public static TinyLlama timing() {
        return new TinyLlama(8, 512, 8, 1536, 2048, GgmlType.F16, 7);
    }

    /** The vocabulary: control tokens, byte tokens and word pieces. */
    public static List<String> vocabulary() {
        return vocabulary(0);
    }

    /**
     * The vocabulary with {@code extraTokens} more word pieces ({@code ▁t0}, {@code ▁t1}, ...)
     * after the usual ones, for models whose vocabulary size matters (memory measurements).
     */
    public static List<String> vocabulary(int extraTokens) {
        if (extraTokens < 0) {
            throw new IllegalArgumentException("extraTokens must not be negative");
        }
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
        }
        tokens.addAll(List.of(WORDS));
        for (int i = 0; i < extraTokens; i++) {
            tokens.add("▁t" + i);
        }
        return tokens;
    }

    /** Writes the model to {@code file} (atomically). */
    public void write(Path file) throws IOException {
        writer("snowcrash-demo").write(file);
    }

    /** A writer holding this model, for callers that want to add or change metadata first. */
    public GgufWriter writer(String name) {
        return writer(name, 0, List.of());
    }

    /** A writer holding this model with {@code extraTokens} more word pieces in its vocabulary ({@link #vocabulary(int)}). */
    public GgufWriter writer(String name, int extraTokens) {
        return writer(name, extraTokens, List.of());
    }

    /**
     * A writer holding this model with control tokens added after {@link #vocabulary()}: the chat
     * template's markers, say, so that {@code <|im_start|>} is one token as in real models rather
     * than twelve byte tokens (tokenizers that parse special tokens read each as one token).
     */
    public GgufWriter writer(String name, List<String> controlTokens) {
        return writer(name, 0, controlTokens);
    }

    /**
     * A writer holding this model with {@code extraTokens} more word pieces ({@link #vocabulary(int)})
     * and then {@code controlTokens}, each one control token.
     */
    public GgufWriter writer(String name, int extraTokens, List<String> controlTokens) {
        List<String> tokens = vocabulary(extraTokens);
        int words = tokens.size();
        tokens.addAll(controlTokens);
        int vocab = tokens.size();
        List<Float> scores = new ArrayList<>();
        List<Long> types = new ArrayList<>();
        for (int i = 0; i < vocab; i++) {
            // token types: 1 normal, 2 unknown, 3 control, 6 byte
            long t = i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : i < words ? 1 : 3;
            types.add(t);
            scores.add(i < 259 || i >= words ? 0f : -(float) (i - 259));
        }
        // Rows of the output matrix written as zeros: see the comment at output.weight below.
        List<Integer> silent = new ArrayList<>(List.of(EOS));
        for (int i = words; i < vocab; i++) {
            if (END_OF_GENERATION.contains(tokens.get(i))) {
                silent.add(i);
            }
        }
        String arch = "llama";
        GgufWriter w = new GgufWriter()
                .put("general.architecture", GgufValue.string(arch))
                .put("general.name", GgufValue.string(name))
                .put("general.file_type", GgufValue.u32(type == GgmlType.F32 ? 0 : 1))
                .put(arch + ".context_length", GgufValue.u32(contextSize))
                .put(arch + ".embedding_length", GgufValue.u32(embedding))
                .put(arch + ".block_count", GgufValue.u32(layers))
                .put(arch + ".feed_forward_length", GgufValue.u32(feedForward))
                .put(arch + ".attention.head_count", GgufValue.u32(heads))
                .put(arch + ".attention.head_count_kv", GgufValue.u32(heads))
                .put(arch + ".rope.dimension_count", GgufValue.u32(embedding / heads))
                .put(arch + ".attention.layer_norm_rms_epsilon", GgufValue.f32(1e-5f))
                .put("tokenizer.ggml.model", GgufValue.string("llama"))
                .put("tokenizer.ggml.tokens", GgufValue.array(GgufType.STRING, tokens))
                .put("tokenizer.ggml.scores", GgufValue.array(GgufType.FLOAT32, scores))
                .put("tokenizer.ggml.token_type", GgufValue.array(GgufType.INT32, types))
                .put("tokenizer.ggml.bos_token_id", GgufValue.u32(1))
                .put("tokenizer.ggml.eos_token_id", GgufValue.u32(EOS))
                .put("tokenizer.ggml.unknown_token_id", GgufValue.u32(0))
                .put("tokenizer.ggml.add_bos_token", GgufValue.bool(true))
                .put("tokenizer.chat_template", GgufValue.string(CHATML_TEMPLATE));

        SplittableRandom random = new SplittableRandom(seed);
        w.tensor("token_embd.weight", type, new long[] {embedding, vocab}, random(random.split(), (long) embedding * vocab, 0.5f));
        w.tensor("output_norm.weight", GgmlType.F32, new long[] {embedding}, ones(embedding));
        // The end-of-sequence token's output row is zero, so its logit is always 0 while the others
        // spread around it: it never reaches greedy's argmax nor survives top-k/min-p, and the model
        // writes up to the token limit. Tests that count tokens rely on that (a random row let it
        // end an answer after two tokens now and then). The same holds for an end-of-generation
        // control token such as <|im_end|>: llama.cpp stops there too, so its row is zero as well.
        w.tensor("output.weight", type, new long[] {embedding, vocab},
                random(random.split(), (long) embedding * vocab, 0.5f, embedding, silent));
        float scale = (float) (1.0 / Math.sqrt(embedding));
        for (int b = 0; b < layers; b++) {
            String p = "blk." + b + ".";
            w.tensor(p + "attn_norm.weight", GgmlType.F32, new long[] {embedding}, ones(embedding));
            for (String m : new String[] {"attn_q", "attn_k", "attn_v", "attn_output"}) {
                w.tensor(p + m + ".weight", type, new long[] {embedding, embedding},
                        random(random.split(), (long) embedding * embedding, scale));
            }
            w.tensor(p + "ffn_norm.weight", GgmlType.F32, new long[] {embedding}, ones(embedding));
            w.tensor(p + "ffn_gate.weight", type, new long[] {embedding, feedForward},
                    random(random.split(), (long) embedding * feedForward, scale));
            w.tensor(p + "ffn_up.weight", type, new long[] {embedding, feedForward},
                    random(random.split(), (long) embedding * feedForward, scale));
            w.tensor(p + "ffn_down.weight", type, new long[] {feedForward, embedding},
                    random(random.split(), (long) embedding * feedForward, (float) (1.0 / Math.sqrt(feedForward))));
        }
        return w;
    }

    private static GgufWriter.TensorData ones(int n) {
        return out -> {
            ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                b.putFloat(1f);
            }
            out.write(b.array());
        };
    }

    private GgufWriter.TensorData random(SplittableRandom r, long n, float scale) {
        return random(r, n, scale, 1, List.of());
    }

    /**
     * Uniform values in {@code [-scale, scale)}, except that the rows in {@code zeroRows} (rows of
     * {@code width} elements) are zeros. A zeroed element still draws its random number, so the
     * other rows are the same whichever rows are zeroed.
     */
    private GgufWriter.TensorData random(SplittableRandom r, long n, float scale, int width, List<Integer> zeroRows) {
        Set<Integer> zero = Set.copyOf(zeroRows);
        return out -> {
            int each = type == GgmlType.F32 ? 4 : 2;
            ByteBuffer b = ByteBuffer.allocate(8192 * each).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < n; i++) {
                float v = (float) ((r.nextDouble() * 2 - 1) * scale);
                if (!zero.isEmpty() && zero.contains((int) (i / width))) {
                    v = 0f;
                }
                if (each == 4) {
                    b.putFloat(v);
                } else {
                    b.putShort(toHalf(v));
                }
                if (!b.hasRemaining()) {
                    flush(b, out);
                }
            }
            flush(b, out);
        };
    }

    private static void flush(ByteBuffer b, OutputStream out) throws IOException {
        out.write(b.array(), 0, b.position());
        b.clear();
    }

    /** IEEE 754 binary16 of a small float (no NaN or infinity here); rounds toward zero. */
    static short toHalf(float f) {
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = ((bits >>> 23) & 0xff) - 127 + 15;
        int mant = bits & 0x7fffff;
        if (exp <= 0) {
            if (exp < -10) {
                return (short) sign;
            }
            mant |= 0x800000;
            return (short) (sign | (mant >> (14 - exp)));
        }
        if (exp >= 31) {
            return (short) (sign | 0x7bff);
        }
        return (short) (sign | (exp << 10) | (mant >> 13));
    }

}
