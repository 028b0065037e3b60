package org.snowcrash.models.gguf;

/**
 * The heap one parsed header may take, charged before each allocation so that a hostile file
 * fails with a {@link GgufException} while memory is still there, never with an
 * {@link OutOfMemoryError}.
 *
 * <p>Sizes are estimates for a 64-bit HotSpot JVM with compressed references (12-byte object
 * headers, 16-byte array headers, 4-byte references, objects rounded up to 8 bytes), which is
 * the JVM's layout for heaps under 32 GiB; with a larger heap references take 8 bytes, but the
 * budget is then a small fraction of it. Everything the returned {@link GgufFile} keeps is
 * charged, and so are the copies its constructor makes. One instance per read; not thread-safe.
 */
final class HeapBudget {

    /** A {@link GgufValue} record: header, two references. */
    static final int VALUE_RECORD = 24;
    /** A boxed {@link Long} or {@link Double}; a {@link Float} takes 16; {@link Boolean}s are shared. */
    static final int BOX_WIDE = 24;
    static final int BOX_FLOAT = 16;
    /** A {@link GgufValue.Array}: header, two references, an int. */
    static final int ARRAY_OBJECT = 24;
    /**
     * One metadata entry in a {@link java.util.LinkedHashMap} (a 40-byte entry plus at most 16
     * bytes of table at the 0.75 load factor), twice: the reader's map and {@link GgufFile}'s copy.
     */
    static final int METADATA_ENTRY = 2 * 56;
    /**
     * One tensor descriptor apart from its name: the {@link TensorInfo} (32), its dimensions
     * (up to 48, allocated twice because the record copies them), a slot in the reader's list
     * and in {@link GgufFile}'s copy (up to 12 with growth), the entry in the duplicate-name set
     * (32 plus up to 16 of table).
     */
    static final int TENSOR = 32 + 2 * 48 + 12 + 48;

    private final long limit;
    private long used;

    HeapBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("heap budget must be positive: " + limit);
        }
        this.limit = limit;
    }

    /** Bytes of an array of {@code count} elements of {@code bytesEach} bytes. */
    static long array(long count, int bytesEach) {
        return align(16 + count * bytesEach);
    }

    /** Bytes of a {@link String} of {@code chars} chars, one byte each when {@code latin1}. */
    static long string(long chars, boolean latin1) {
        return 24 + array(chars, latin1 ? 1 : 2);
    }

    static long align(long bytes) {
        return (bytes + 7) & ~7L;
    }

    /** Charges {@code bytes} that the parsed header will keep. */
    void charge(long bytes, String what, long at) throws GgufException {
        require(bytes, what, at);
        used += bytes;
    }

    /** Checks that {@code bytes} more (kept or briefly allocated) fit, without charging them. */
    void require(long bytes, String what, long at) throws GgufException {
        if (bytes < 0 || bytes > limit - used) {
            throw new GgufException(what + " would take the header's heap past its budget of " + limit
                    + " bytes (" + used + " used); the budget is half the maximum heap, at most 256 MiB,"
                    + " unless given to GgufReader.read", at);
        }
    }

    long used() {
        return used;
    }
}
