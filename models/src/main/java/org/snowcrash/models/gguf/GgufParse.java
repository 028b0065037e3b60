package org.snowcrash.models.gguf;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.snowcrash.models.gguf.GgufReader.*;

/**
 * One header read: the key-value pairs and the tensor table, each length, count and nesting checked
 * against the bounds of {@link GgufReader} and the heap budget before anything is allocated.
 */
final class GgufParse {
    private final GgufInput in;
    private final HeapBudget heap;
    private long elementBudget = MAX_TOTAL_ELEMENTS;

    GgufParse(GgufInput in) {
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
