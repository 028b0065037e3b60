package org.snowcrash.models.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor descriptor.
 *
 * @param name       the tensor's name ({@code blk.0.attn_q.weight})
 * @param dimensions sizes, fastest-varying first (ggml's {@code ne}); 1 to 4 of them, each positive
 * @param type       element type
 * @param offset     byte offset of its data from the start of the data section
 */
public record TensorInfo(String name, long[] dimensions, GgmlType type, long offset) {

    public TensorInfo {
        Objects.requireNonNull(name);
        Objects.requireNonNull(type);
        dimensions = dimensions.clone();
    }

    @Override
    public long[] dimensions() {
        return dimensions.clone();
    }

    /** Number of elements. */
    public long elementCount() {
        long n = 1;
        for (long d : dimensions) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Size of its data in bytes. */
    public long byteSize() {
        return Math.multiplyExact(elementCount() / type.blockSize(), (long) type.typeSize());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo && ((TensorInfo) o).name.equals(name)
                && Arrays.equals(((TensorInfo) o).dimensions, dimensions)
                && ((TensorInfo) o).type == type && ((TensorInfo) o).offset == offset;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(dimensions), type, offset);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(dimensions) + " " + type + " @" + offset;
    }
}
