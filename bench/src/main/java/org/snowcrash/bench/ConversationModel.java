package org.snowcrash.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.models.gguf.GgufException;
import org.snowcrash.models.gguf.GgufFile;
import org.snowcrash.models.gguf.GgufReader;
import org.snowcrash.models.gguf.TensorInfo;

/**
 * The model of the conversation and viewer rows: the timing model's shape (8 layers, embedding
 * 512, F16, about 52 MB) with the ChatML markers as one control token each, as in real models
 * (in the plain vocabulary each is 10 to 12 byte tokens), and the output rows of some tokens set
 * to zero, so that a message costs what it costs with a real model: the template a few tokens per
 * message, and an answer about as many tokens in the next prompt as were generated.
 *
 * <p>Why rows are zeroed: with random weights greedy decoding otherwise picks non-ASCII bytes that
 * are not UTF-8 (the server sends U+FFFD, three tokens when sent back) and word pieces such as
 * {@code ▁the} that the tokenizer never produces from text (its merges go through {@code ▁t},
 * which this vocabulary lacks, so {@code " the"} comes back as four tokens): a 32-token answer then
 * costs about a hundred tokens in the next prompt. Kept: pieces of one or two characters (which
 * the tokenizer does produce) and the printable ASCII bytes no piece covers. A zero row scores 0
 * while some of the hundred others almost surely score above it. The end token and
 * {@code <|im_end|>} are zero already ({@link TinyLlama}), so every answer is 32 tokens long.
 */
final class ConversationModel {

    /** The ChatML markers of {@link TinyLlama#CHATML_TEMPLATE}. */
    static final List<String> MARKERS = List.of("<|im_start|>", "<|im_end|>");

    private ConversationModel() {
    }

    /** Writes the model to {@code file}. */
    static Path write(Path file) throws IOException, GgufException {
        TinyLlama.timing().writer("snowcrash-conversation", MARKERS).write(file);
        GgufFile gguf = GgufReader.read(file);
        TensorInfo output = gguf.tensors().stream().filter(t -> t.name().equals("output.weight")).findFirst().orElseThrow();
        List<String> vocabulary = new ArrayList<>(TinyLlama.vocabulary());
        vocabulary.addAll(MARKERS);
        int rowBytes = (int) output.dimensions()[0] * 2; // F16
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (int id = 0; id < vocabulary.size(); id++) {
                if (!reproducible(vocabulary, id)) {
                    ch.write(ByteBuffer.allocate(rowBytes), gguf.dataOffset() + output.offset() + (long) id * rowBytes);
                }
            }
        }
        return file;
    }

    /** Whether the tokenizer gives this token back when its text is sent again. */
    private static boolean reproducible(List<String> vocabulary, int id) {
        if (id < 3) {
            return false; // <unk>, <s> and </s> never come back as themselves
        }
        if (id < 3 + 256) {
            int b = id - 3;
            return b > 0x20 && b < 0x7f && !vocabulary.contains(String.valueOf((char) b));
        }
        return vocabulary.get(id).length() <= 2; // the markers are zeroed here too
    }
}
