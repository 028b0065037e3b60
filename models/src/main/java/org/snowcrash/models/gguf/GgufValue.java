package org.snowcrash.models.gguf;

import java.util.List;
import java.util.Objects;

/**
 * One metadata value. Integers of every width are held as {@link Long}, {@code FLOAT32} as
 * {@link Float}, {@code FLOAT64} as {@link Double}, {@code BOOL} as {@link Boolean},
 * {@code STRING} as {@link String}, and {@code ARRAY} as {@link Array}.
 *
 * @param type  the on-disk type
 * @param value the value, of the Java type above
 */
public record GgufValue(GgufType type, Object value) {

    /** An array value: its element type and elements (each held as for a scalar of that type). */
    public record Array(GgufType elementType, List<Object> elements) {
        public Array {
            Objects.requireNonNull(elementType);
            elements = List.copyOf(elements);
        }
    }

    public GgufValue {
        Objects.requireNonNull(type);
        Objects.requireNonNull(value);
        boolean ok;
        switch (type) {
            case FLOAT32: ok = value instanceof Float; break;
            case FLOAT64: ok = value instanceof Double; break;
            case BOOL: ok = value instanceof Boolean; break;
            case STRING: ok = value instanceof String; break;
            case ARRAY: ok = value instanceof Array; break;
            default: ok = value instanceof Long;
        }
        if (!ok) {
            throw new IllegalArgumentException(type + " cannot hold a " + value.getClass().getSimpleName());
        }
    }

    public static GgufValue string(String s) { return new GgufValue(GgufType.STRING, s); }
    public static GgufValue u32(long v) { return new GgufValue(GgufType.UINT32, v); }
    public static GgufValue i32(long v) { return new GgufValue(GgufType.INT32, v); }
    public static GgufValue u64(long v) { return new GgufValue(GgufType.UINT64, v); }
    public static GgufValue f32(float v) { return new GgufValue(GgufType.FLOAT32, v); }
    public static GgufValue bool(boolean v) { return new GgufValue(GgufType.BOOL, v); }

    /** An array of values of one scalar type. */
    public static GgufValue array(GgufType elementType, List<?> elements) {
        return new GgufValue(GgufType.ARRAY, new Array(elementType, List.copyOf(elements)));
    }

    /** The value as a long, when it is an integer. */
    public long asLong() {
        if (!(value instanceof Long)) {
            throw new IllegalStateException(type + " is not an integer");
        }
        return (Long) value;
    }

    /** A short rendering for people: arrays show their type and length, not their elements. */
    public String display() {
        if (value instanceof Array) {
            Array a = (Array) value;
            return "[" + a.elementType().name().toLowerCase(java.util.Locale.ROOT) + " x " + a.elements().size() + "]";
        }
        return String.valueOf(value);
    }
}
