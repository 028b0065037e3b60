package org.snowcrash.models.gguf;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    /** {@code "GGUF"} read as a little-endian int. */
    static final int MAGIC = 0x46554747;
    static final long MAX_STRING_BYTES = 16L << 20;
    static final long MAX_ARRAY_ELEMENTS = 16L << 20;
    static final long MAX_KV_COUNT = 1L << 20;
    static final long MAX_TENSOR_COUNT = 1L << 20;
    static final long MAX_TOTAL_ELEMENTS = 64L << 20;
    static final int MAX_DIMS = 4;
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
        Input in = new Input(channel, new HeapBudget(heapBudget));
        try {
            return new Parse(in).file();
        } catch (BufferUnderflowException | ArithmeticException e) {
            // Both mean a length or count went past what the file holds; Input checks first, this is a backstop.
            throw new GgufException("file is truncated or a size overflows", in.position());
        }
    }

    private static final class Parse {
        private final Input in;
        private final HeapBudget heap;
        private long elementBudget = MAX_TOTAL_ELEMENTS;

        Parse(Input in) {
            this.in = in;
            this.heap = in.heap;
        }

        GgufFile file() throws IOException, GgufException {
            if (in.size() < 4) {
                throw new GgufException("not a GGUF file: only " + in.size() + " bytes", 0);
            }
            int magic = in.i32();
            if (magic != MAGIC) {
                throw new GgufException(String.format("not a GGUF file: magic is 0x%08x, expected \"GGUF\"", magic), 0);
            }
            long version = in.u32();
            if (version == 1) {
                throw new GgufException("GGUF version 1 is not supported (only 2 and 3); convert the file with a current llama.cpp", 4);
            }
            if (version != 2 && version != 3) {
                if (Integer.reverseBytes((int) version) == 2 || Integer.reverseBytes((int) version) == 3) {
                    throw new GgufException("big-endian GGUF files are not supported", 4);
                }
                throw new GgufException("unsupported GGUF version " + version + " (supported: 2, 3)", 4);
            }
            long tensorCount = in.u64();
            long kvCount = in.u64();
            // A tensor descriptor takes at least 32 bytes and a key/value pair at least 13.
            checkCount("tensor count", tensorCount, MAX_TENSOR_COUNT, 32);
            checkCount("metadata count", kvCount, MAX_KV_COUNT, 13);

            Map<String, GgufValue> metadata = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                long at = in.position();
                String key = in.string();
                if (key.isEmpty()) {
                    throw new GgufException("empty metadata key", at);
                }
                if (metadata.containsKey(key)) {
                    throw new GgufException("duplicate metadata key '" + key + "'", at);
                }
                long typeAt = in.position();
                long typeId = in.u32();
                GgufType type = GgufType.byId(typeId)
                        .orElseThrow(() -> new GgufException("unknown value type " + typeId + " for key '" + key + "'", typeAt));
                heap.charge(HeapBudget.METADATA_ENTRY + HeapBudget.VALUE_RECORD, "metadata key '" + key + "'", at);
                metadata.put(key, value(key, type));
            }

            long alignment = 32;
            GgufValue a = metadata.get("general.alignment");
            if (a != null) {
                if (!(a.value() instanceof Long) || a.asLong() <= 0 || Long.bitCount(a.asLong()) != 1 || a.asLong() > (1 << 20)) {
                    throw new GgufException("general.alignment must be a power of two up to 1 MiB, got " + a.display(), -1);
                }
                alignment = a.asLong();
            }

            List<TensorInfo> tensors = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (long i = 0; i < tensorCount; i++) {
                long at = in.position();
                String name = in.string();
                heap.charge(HeapBudget.TENSOR, "tensor '" + name + "'", at);
                if (!names.add(name)) {
                    throw new GgufException("duplicate tensor '" + name + "'", at);
                }
                long nDims = in.u32();
                if (nDims < 1 || nDims > MAX_DIMS) {
                    throw new GgufException("tensor '" + name + "' has " + nDims + " dimensions (1 to " + MAX_DIMS + " allowed)", at);
                }
                long[] dims = new long[(int) nDims];
                long elements = 1;
                for (int d = 0; d < nDims; d++) {
                    dims[d] = in.u64();
                    if (dims[d] <= 0 || dims[d] > (1L << 40)) {
                        throw new GgufException("tensor '" + name + "' has an invalid dimension " + Long.toUnsignedString(dims[d]), at);
                    }
                    if (elements > Long.MAX_VALUE / dims[d]) {
                        throw new GgufException("tensor '" + name + "' is impossibly large", at);
                    }
                    elements *= dims[d];
                }
                long typeId = in.u32();
                GgmlType type = GgmlType.byId(typeId)
                        .orElseThrow(() -> new GgufException("tensor '" + name + "' has unknown type " + typeId, at));
                if (dims[0] % type.blockSize() != 0) {
                    throw new GgufException("tensor '" + name + "': first dimension " + dims[0]
                            + " is not a multiple of the " + type + " block size " + type.blockSize(), at);
                }
                long offset = in.u64();
                if (offset < 0 || offset % alignment != 0) {
                    throw new GgufException("tensor '" + name + "' data offset " + Long.toUnsignedString(offset)
                            + " is not aligned to " + alignment, at);
                }
                tensors.add(new TensorInfo(name, dims, type, offset));
            }

            long dataOffset = align(in.position(), alignment);
            long dataSize = in.size() - dataOffset;
            for (TensorInfo t : tensors) {
                long size = t.byteSize();
                if (t.offset() > dataSize || size > dataSize - t.offset()) {
                    throw new GgufException("tensor '" + t.name() + "' (" + size + " bytes at data offset " + t.offset()
                            + ") lies past the end of the file (" + Math.max(0, dataSize) + " data bytes): the file is truncated",
                            dataOffset + t.offset());
                }
            }
            return new GgufFile((int) version, metadata, tensors, alignment, dataOffset, in.size());
        }

        /** A top-level value of {@code key}; the key's entry and record are charged by the caller. */
        private GgufValue value(String key, GgufType type) throws IOException, GgufException {
            long at = in.position();
            switch (type) {
                case UINT8: return integer(type, in.u8(), at);
                case INT8: return integer(type, (byte) in.u8(), at);
                case UINT16: return integer(type, in.u16(), at);
                case INT16: return integer(type, (short) in.u16(), at);
                case UINT32: return integer(type, in.u32(), at);
                case INT32: return integer(type, in.i32(), at);
                case UINT64: case INT64: return integer(type, in.u64(), at);
                case FLOAT32:
                    heap.charge(HeapBudget.BOX_FLOAT, "a FLOAT32", at);
                    return new GgufValue(type, Float.intBitsToFloat(in.i32()));
                case FLOAT64:
                    heap.charge(HeapBudget.BOX_WIDE, "a FLOAT64", at);
                    return new GgufValue(type, Double.longBitsToDouble(in.u64()));
                case BOOL: return new GgufValue(type, bool());
                case STRING: return new GgufValue(type, in.string());
                default: return new GgufValue(type, array(key, 0));
            }
        }

        private GgufValue integer(GgufType type, long v, long at) throws GgufException {
            heap.charge(HeapBudget.BOX_WIDE, "an integer", at);
            return new GgufValue(type, v);
        }

        private boolean bool() throws IOException, GgufException {
            long at = in.position();
            int b = in.u8();
            if (b > 1) {
                throw new GgufException("boolean value " + b + " is neither 0 nor 1", at);
            }
            return b == 1;
        }

        /** An array, read straight into primitive storage sized and charged before it is allocated. */
        private GgufValue.Array array(String key, int depth) throws IOException, GgufException {
            long at = in.position();
            if (depth >= MAX_ARRAY_DEPTH) {
                throw new GgufException("arrays nested deeper than " + MAX_ARRAY_DEPTH, at);
            }
            long typeId = in.u32();
            GgufType elementType = GgufType.byId(typeId)
                    .orElseThrow(() -> new GgufException("unknown array element type " + typeId, at));
            long count = in.u64();
            checkCount("array length", count, MAX_ARRAY_ELEMENTS, elementType.minBytes());
            if (count > elementBudget) {
                throw new GgufException("metadata holds more than " + MAX_TOTAL_ELEMENTS + " array elements in all", at);
            }
            elementBudget -= count;
            int n = (int) count;
            heap.charge(HeapBudget.ARRAY_OBJECT + HeapBudget.array(n, GgufValue.Array.storageBytesPerElement(elementType)),
                    "array '" + key + "' of " + n + " " + elementType, at);
            Object storage = GgufValue.Array.newStorage(elementType, n);
            switch (elementType) {
                case UINT8: case INT8: {
                    byte[] a = (byte[]) storage;
                    for (int i = 0; i < n; i++) {
                        a[i] = (byte) in.u8();
                    }
                    break;
                }
                case UINT16: case INT16: {
                    short[] a = (short[]) storage;
                    for (int i = 0; i < n; i++) {
                        a[i] = (short) in.u16();
                    }
                    break;
                }
                case UINT32: case INT32: {
                    int[] a = (int[]) storage;
                    for (int i = 0; i < n; i++) {
                        a[i] = in.i32();
                    }
                    break;
                }
                case UINT64: case INT64: {
                    long[] a = (long[]) storage;
                    for (int i = 0; i < n; i++) {
                        a[i] = in.u64();
                    }
                    break;
                }
                case FLOAT32: {
                    float[] a = (float[]) storage;
                    for (int i = 0; i < n; i++) {
                        a[i] = Float.intBitsToFloat(in.i32());
                    }
                    break;
                }
                case FLOAT64: {
                    double[] a = (double[]) storage;
                    for (int i = 0; i < n; i++) {
                        a[i] = Double.longBitsToDouble(in.u64());
                    }
                    break;
                }
                case BOOL: {
                    boolean[] a = (boolean[]) storage;
                    for (int i = 0; i < n; i++) {
                        a[i] = bool();
                    }
                    break;
                }
                case STRING: {
                    String[] a = (String[]) storage;
                    for (int i = 0; i < n; i++) {
                        a[i] = in.string();
                    }
                    break;
                }
                default: {
                    GgufValue.Array[] a = (GgufValue.Array[]) storage;
                    for (int i = 0; i < n; i++) {
                        a[i] = array(key, depth + 1);
                    }
                }
            }
            return GgufValue.Array.wrap(elementType, storage);
        }

        private void checkCount(String what, long count, long max, int minBytesEach) throws GgufException {
            long at = in.position() - 8;
            if (count < 0 || count > max) {
                throw new GgufException(what + " " + Long.toUnsignedString(count) + " exceeds the limit of " + max, at);
            }
            if (count * (long) minBytesEach > in.remaining()) {
                throw new GgufException(what + " " + count + " cannot fit in the " + in.remaining()
                        + " bytes left in the file", at);
            }
        }
    }

    static long align(long position, long alignment) {
        long r = position % alignment;
        return r == 0 ? position : position + (alignment - r);
    }

    /** Little-endian buffered reading with bounds checks against the file size. */
    private static final class Input {
        private final SeekableByteChannel ch;
        private final HeapBudget heap;
        private final long size;
        private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        private long bufStart;

        Input(SeekableByteChannel ch, HeapBudget heap) throws IOException {
            this.ch = ch;
            this.heap = heap;
            this.size = ch.size();
            ch.position(0);
            buf.limit(0);
        }

        long size() {
            return size;
        }

        long position() {
            return bufStart + buf.position();
        }

        long remaining() {
            return size - position();
        }

        private void need(int n) throws IOException, GgufException {
            if (remaining() < n) {
                throw new GgufException("unexpected end of file: needed " + n + " more bytes, " + remaining() + " left", position());
            }
            if (buf.remaining() >= n) {
                return;
            }
            long pos = position();
            buf.compact();
            bufStart = pos;
            while (buf.position() < n) {
                int r = ch.read(buf);
                if (r < 0) {
                    throw new GgufException("unexpected end of file", pos);
                }
            }
            buf.flip();
        }

        int u8() throws IOException, GgufException {
            need(1);
            return buf.get() & 0xff;
        }

        int u16() throws IOException, GgufException {
            need(2);
            return buf.getShort() & 0xffff;
        }

        int i32() throws IOException, GgufException {
            need(4);
            return buf.getInt();
        }

        long u32() throws IOException, GgufException {
            return i32() & 0xffffffffL;
        }

        long u64() throws IOException, GgufException {
            need(8);
            return buf.getLong();
        }

        String string() throws IOException, GgufException {
            long at = position();
            long len = u64();
            if (len < 0 || len > MAX_STRING_BYTES) {
                throw new GgufException("string length " + Long.toUnsignedString(len) + " exceeds the limit of " + MAX_STRING_BYTES, at);
            }
            if (len > remaining()) {
                throw new GgufException("string length " + len + " runs past the end of the file", at);
            }
            // The bytes are held only until the string is built, but both exist at once.
            heap.require(HeapBudget.array(len, 1) + HeapBudget.string(len, false), "a string of " + len + " bytes", at);
            byte[] bytes = new byte[(int) len];
            int off = 0;
            while (off < len) {
                int chunk = (int) Math.min(len - off, buf.capacity());
                need(chunk);
                buf.get(bytes, off, chunk);
                off += chunk;
            }
            int chars = Utf8.charCount(bytes, bytes.length);
            if (chars < 0) {
                throw new GgufException("string is not valid UTF-8", at);
            }
            heap.charge(HeapBudget.string(chars, Utf8.isLatin1(bytes, bytes.length)), "a string of " + len + " bytes", at);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
