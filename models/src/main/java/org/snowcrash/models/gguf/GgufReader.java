package org.snowcrash.models.gguf;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads the header of a GGUF file (versions 2 and 3): metadata and tensor descriptors, never the
 * tensor data.
 *
 * <p>Built for hostile input: every count and length is checked against what the rest of the
 * file could possibly hold and against fixed limits before anything is allocated, so a corrupt
 * file gives a {@link GgufException} quickly, never an {@link OutOfMemoryError}, a hang or an
 * unchecked exception. Every tensor must lie inside the file, so a truncated download is caught.
 *
 * <p>The heap the parsed header takes is bounded by a budget, charged before each allocation:
 * by default half the JVM's maximum heap, at most 256 MiB ({@link #defaultHeapBudget()}); a
 * header that needs more gives a {@link GgufException} saying so. Real headers need far less: a
 * Llama-3-sized vocabulary (128,256 tokens, 280,147 merges) counts 26 MiB, erring high. Arrays
 * are held compactly (see {@link GgufValue.Array}), so a 16 MB file holding one array of 4
 * million {@code INT32}s takes 16 MB of heap. The guarantee is "no OutOfMemoryError" as long as
 * the heap has the budget free; pass a smaller budget where it has not. Stateless and
 * thread-safe.
 */
public final class GgufReader {

    /** {@code "GGUF"} read as a little-endian int: a file's first four bytes (writers use it too). */
    public static final int MAGIC = 0x46554747;
    static final long MAX_STRING_BYTES = 16L << 20;
    static final long MAX_ARRAY_ELEMENTS = 16L << 20;
    static final long MAX_KV_COUNT = 1L << 20;
    static final long MAX_TENSOR_COUNT = 1L << 20;
    static final long MAX_TOTAL_ELEMENTS = 64L << 20;
    /** The most dimensions a tensor may have (GGML's own limit), for writers as for this reader. */
    public static final int MAX_DIMS = 4;
    static final int MAX_ARRAY_DEPTH = 4;
    static final long MAX_HEAP_BUDGET = 256L << 20;

    private GgufReader() {
    }

    /** Half the JVM's maximum heap, at most 256 MiB: the heap a header may take unless told otherwise. */
    public static long defaultHeapBudget() {
        return Math.min(MAX_HEAP_BUDGET, Runtime.getRuntime().maxMemory() / 2);
    }

    /** Reads a file's header within the {@linkplain #defaultHeapBudget() default heap budget}. */
    public static GgufFile read(Path file) throws GgufException {
        return read(file, defaultHeapBudget());
    }

    /**
     * Reads a file's header, letting it take at most {@code heapBudget} bytes of heap.
     *
     * @throws GgufException also when the header would need more heap than that
     * @throws IllegalArgumentException when {@code heapBudget} is not positive
     */
    public static GgufFile read(Path file, long heapBudget) throws GgufException {
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            return read(ch, heapBudget);
        } catch (NoSuchFileException e) {
            throw new GgufException("no such file: " + file, -1, e);
        } catch (IOException e) {
            throw new GgufException("cannot read " + file + ": " + e, -1, e);
        }
    }

    /** Reads a header from bytes in memory, within the default heap budget. */
    public static GgufFile read(byte[] bytes) throws GgufException {
        return read(bytes, defaultHeapBudget());
    }

    /** Reads a header from bytes in memory, letting it take at most {@code heapBudget} bytes of heap. */
    public static GgufFile read(byte[] bytes, long heapBudget) throws GgufException {
        try {
            return read(new ByteArrayChannel(bytes), heapBudget);
        } catch (IOException e) {
            throw new GgufException("cannot read: " + e, -1, e);
        }
    }

    /** Reads a header from a channel positioned anywhere, within the default heap budget; reading starts at 0. */
    public static GgufFile read(SeekableByteChannel channel) throws GgufException, IOException {
        return read(channel, defaultHeapBudget());
    }

    /** Reads a header from a channel, letting it take at most {@code heapBudget} bytes of heap; reading starts at 0. */
    public static GgufFile read(SeekableByteChannel channel, long heapBudget) throws GgufException, IOException {
        GgufInput in = new GgufInput(channel, new HeapBudget(heapBudget));
        try {
            return new GgufParse(in).file();
        } catch (BufferUnderflowException | ArithmeticException e) {
            // Both mean a length or count went past what the file holds; GgufInput checks first, this is a backstop.
            throw new GgufException("file is truncated or a size overflows", in.position());
        }
    }



    /** {@code position} rounded up to a multiple of {@code alignment}: where GGUF's data and tensors start. */
    public static long align(long position, long alignment) {
        long r = position % alignment;
        return r == 0 ? position : position + (alignment - r);
    }


}
