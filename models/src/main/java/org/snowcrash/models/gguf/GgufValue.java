package org.snowcrash.models.gguf;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * One metadata value. Integers of every width are held as {@link Long}, {@code FLOAT32} as
 * {@link Float}, {@code FLOAT64} as {@link Double}, {@code BOOL} as {@link Boolean},
 * {@code STRING} as {@link String}, and {@code ARRAY} as {@link Array}.
 *
 * @param type  the on-disk type
 * @param value the value, of the Java type above
 */
public record GgufValue(GgufType type, Object value) {

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

    /**
     * An array of values of one type, each given as a scalar of that type is held ({@link Long}
     * for integers, ...; {@link Array} for nested arrays).
     *
     * @throws IllegalArgumentException when an element has the wrong Java type or an integer is
     *                                  out of its type's range
     */
    public static GgufValue array(GgufType elementType, List<?> elements) {
        return new GgufValue(GgufType.ARRAY, Array.of(elementType, elements));
    }

    /** The value as a long, when it is an integer. */
    public long asLong() {
        if (!(value instanceof Long)) {
            throw new IllegalStateException(type + " is not an integer");
        }
        return (Long) value;
    }

    /** The value as an array, when it is one. */
    public Array asArray() {
        if (!(value instanceof Array)) {
            throw new IllegalStateException(type + " is not an array");
        }
        return (Array) value;
    }

    /** A short rendering for people: arrays show their type and length, not their elements. */
    public String display() {
        if (value instanceof Array) {
            Array a = (Array) value;
            return "[" + a.elementType().name().toLowerCase(Locale.ROOT) + " x " + a.size() + "]";
        }
        return String.valueOf(value);
    }

    /**
     * An array value, stored compactly: integers in the narrowest primitive array of their width
     * ({@code INT32} and {@code UINT32} in an {@code int[]}, ...), floats in {@code float[]} or
     * {@code double[]}, booleans in {@code boolean[]}, strings in {@code String[]}. A vocabulary's
     * 150,000 scores take 600 KB as a {@code float[]}, not the 3 MB of boxed {@link Float}s and
     * references they took in a list.
     *
     * <p>Elements are read with the typed getters ({@link #getLong}, {@link #getFloat}, ...),
     * which never box; {@link #elements()} is a boxing view for code that wants a list. Immutable
     * and thread-safe; equal when element type and elements are equal.
     */
    public static final class Array {

        private final GgufType elementType;
        /** One of long[], int[], short[], byte[], boolean[], float[], double[], String[], Array[]. */
        private final Object storage;
        private final int size;

        private Array(GgufType elementType, Object storage, int size) {
            this.elementType = elementType;
            this.storage = storage;
            this.size = size;
        }

        /** Wraps storage the reader filled; the reader hands it over and never touches it again. */
        static Array wrap(GgufType elementType, Object storage) {
            return new Array(elementType, storage, java.lang.reflect.Array.getLength(storage));
        }

        /** The storage an array of {@code count} elements of this type uses; {@code STRING} and {@code ARRAY} hold references. */
        static Object newStorage(GgufType elementType, int count) {
            switch (elementType) {
                case UINT8: case INT8: return new byte[count];
                case UINT16: case INT16: return new short[count];
                case UINT32: case INT32: return new int[count];
                case UINT64: case INT64: return new long[count];
                case FLOAT32: return new float[count];
                case FLOAT64: return new double[count];
                case BOOL: return new boolean[count];
                case STRING: return new String[count];
                default: return new Array[count];
            }
        }

        /** Bytes of heap one element takes in storage (a reference counts 4, as with compressed references). */
        static int storageBytesPerElement(GgufType elementType) {
            switch (elementType) {
                case UINT8: case INT8: case BOOL: return 1;
                case UINT16: case INT16: return 2;
                case UINT64: case INT64: case FLOAT64: return 8;
                default: return 4;
            }
        }

        /** An array of the given elements, each held as a scalar of {@code elementType} is. */
        public static Array of(GgufType elementType, List<?> elements) {
            Objects.requireNonNull(elementType);
            int n = elements.size();
            Object storage = newStorage(elementType, n);
            for (int i = 0; i < n; i++) {
                Object e = Objects.requireNonNull(elements.get(i), "element " + i);
                set(storage, elementType, i, e);
            }
            return new Array(elementType, storage, n);
        }

        private static void set(Object storage, GgufType t, int i, Object e) {
            try {
                switch (t) {
                    case UINT8: ((byte[]) storage)[i] = (byte) checked(t, i, (Long) e, 0, 0xff); break;
                    case INT8: ((byte[]) storage)[i] = (byte) checked(t, i, (Long) e, Byte.MIN_VALUE, Byte.MAX_VALUE); break;
                    case UINT16: ((short[]) storage)[i] = (short) checked(t, i, (Long) e, 0, 0xffff); break;
                    case INT16: ((short[]) storage)[i] = (short) checked(t, i, (Long) e, Short.MIN_VALUE, Short.MAX_VALUE); break;
                    case UINT32: ((int[]) storage)[i] = (int) checked(t, i, (Long) e, 0, 0xffffffffL); break;
                    case INT32: ((int[]) storage)[i] = (int) checked(t, i, (Long) e, Integer.MIN_VALUE, Integer.MAX_VALUE); break;
                    case UINT64: case INT64: ((long[]) storage)[i] = (Long) e; break;
                    case FLOAT32: ((float[]) storage)[i] = (Float) e; break;
                    case FLOAT64: ((double[]) storage)[i] = (Double) e; break;
                    case BOOL: ((boolean[]) storage)[i] = (Boolean) e; break;
                    case STRING: ((String[]) storage)[i] = (String) e; break;
                    default: ((Array[]) storage)[i] = (Array) e;
                }
            } catch (ClassCastException ex) {
                throw new IllegalArgumentException("a " + t + " array cannot hold a " + e.getClass().getSimpleName() + " (element " + i + ")");
            }
        }

        private static long checked(GgufType t, int i, long v, long min, long max) {
            if (v < min || v > max) {
                throw new IllegalArgumentException(t + " element " + i + " is out of range: " + v);
            }
            return v;
        }

        /** The type of every element. */
        public GgufType elementType() {
            return elementType;
        }

        /** The number of elements. */
        public int size() {
            return size;
        }

        /**
         * An integer element. Unsigned types give their value ({@code UINT32} 0 to 2^32-1);
         * {@code UINT64} gives the raw 64 bits, as a scalar {@code UINT64} does.
         *
         * @throws IllegalStateException when the elements are not integers
         */
        public long getLong(int i) {
            switch (elementType) {
                case UINT8: return ((byte[]) storage)[i] & 0xffL;
                case INT8: return ((byte[]) storage)[i];
                case UINT16: return ((short[]) storage)[i] & 0xffffL;
                case INT16: return ((short[]) storage)[i];
                case UINT32: return ((int[]) storage)[i] & 0xffffffffL;
                case INT32: return ((int[]) storage)[i];
                case UINT64: case INT64: return ((long[]) storage)[i];
                default: throw new IllegalStateException("a " + elementType + " array does not hold integers");
            }
        }

        /** A {@code FLOAT32} element. */
        public float getFloat(int i) {
            if (elementType != GgufType.FLOAT32) {
                throw new IllegalStateException("a " + elementType + " array does not hold FLOAT32");
            }
            return ((float[]) storage)[i];
        }

        /** A {@code FLOAT32} or {@code FLOAT64} element. */
        public double getDouble(int i) {
            if (elementType == GgufType.FLOAT64) {
                return ((double[]) storage)[i];
            }
            return getFloat(i);
        }

        /** A {@code BOOL} element. */
        public boolean getBoolean(int i) {
            if (elementType != GgufType.BOOL) {
                throw new IllegalStateException("a " + elementType + " array does not hold BOOL");
            }
            return ((boolean[]) storage)[i];
        }

        /** A {@code STRING} element. */
        public String getString(int i) {
            if (elementType != GgufType.STRING) {
                throw new IllegalStateException("a " + elementType + " array does not hold STRING");
            }
            return ((String[]) storage)[i];
        }

        /** A nested array element. */
        public Array getArray(int i) {
            if (elementType != GgufType.ARRAY) {
                throw new IllegalStateException("a " + elementType + " array does not hold arrays");
            }
            return ((Array[]) storage)[i];
        }

        /** An element boxed as a scalar of its type is held ({@link Long}, {@link Float}, ...). */
        public Object get(int i) {
            switch (elementType) {
                case FLOAT32: return getFloat(i);
                case FLOAT64: return getDouble(i);
                case BOOL: return getBoolean(i);
                case STRING: return getString(i);
                case ARRAY: return getArray(i);
                default: return getLong(i);
            }
        }

        /** A read-only list view of the elements, boxing each on access; nothing is copied. */
        public List<Object> elements() {
            return new View();
        }

        private final class View extends AbstractList<Object> implements RandomAccess {
            @Override
            public Object get(int index) {
                Objects.checkIndex(index, size);
                return Array.this.get(index);
            }

            @Override
            public int size() {
                return size;
            }
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Array)) {
                return false;
            }
            Array a = (Array) o;
            // Arrays.deepEquals compares primitive arrays by content (floats by their bits, like Float.equals).
            return a.elementType == elementType && Arrays.deepEquals(new Object[] {storage}, new Object[] {a.storage});
        }

        @Override
        public int hashCode() {
            return 31 * elementType.hashCode() + Arrays.deepHashCode(new Object[] {storage});
        }

        @Override
        public String toString() {
            return "[" + elementType.name().toLowerCase(Locale.ROOT) + " x " + size + "]";
        }
    }
}
