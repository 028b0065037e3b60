package org.snowcrash.models.gguf;

import java.util.Optional;

/** The metadata value types of the GGUF format, with their on-disk ids. */
public enum GgufType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4),
    BOOL(7, 1), STRING(8, 8), ARRAY(9, 12), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    private final int id;
    private final int minBytes;

    GgufType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    /** The id written in the file. */
    public int id() {
        return id;
    }

    /** The fewest bytes one value of this type takes in a file (a string's length prefix, ...). */
    int minBytes() {
        return minBytes;
    }

    /** Whether values of this type are integers (held as {@link Long}). */
    public boolean isInteger() {
        return this == UINT8 || this == INT8 || this == UINT16 || this == INT16 || this == UINT32
                || this == INT32 || this == UINT64 || this == INT64;
    }

    /** The type with this id. */
    public static Optional<GgufType> byId(long id) {
        for (GgufType t : values()) {
            if (t.id == id) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
