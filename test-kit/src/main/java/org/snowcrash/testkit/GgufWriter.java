package org.snowcrash.testkit;

import org.snowcrash.models.gguf.GgufReader;
import org.snowcrash.models.gguf.GgufType;
import org.snowcrash.models.gguf.GgufValue;
import org.snowcrash.models.gguf.GgmlType;
import org.snowcrash.models.gguf.TensorInfo;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes GGUF version 3 files: metadata, tensor descriptors and aligned tensor data.
 *
 * <p>Used to make the {@code demo} model and every test fixture, so the repository holds no
 * model files. Not thread-safe; one writer makes one file.
 */
public final class GgufWriter {

    /** Supplies a tensor's bytes when the file is written, so large tensors need not sit in memory. */
    @FunctionalInterface
    public interface TensorData {
        /** Writes exactly the tensor's {@link TensorInfo#byteSize()} bytes. */
        void writeTo(OutputStream out) throws IOException;
    }

    private record Pending(String name, long[] dims, GgmlType type, TensorData data) {
    }

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Pending> tensors = new ArrayList<>();
    private long alignment = 32;

    /** Adds or replaces a metadata value. {@code general.alignment} also sets the alignment. */
    public GgufWriter put(String key, GgufValue value) {
        Objects.requireNonNull(key);
        Objects.requireNonNull(value);
        if (key.equals("general.alignment")) {
            long a = value.asLong();
            if (a <= 0 || Long.bitCount(a) != 1) {
                throw new IllegalArgumentException("alignment must be a power of two");
            }
            alignment = a;
        }
        metadata.put(key, value);
        return this;
    }

    /** Adds a tensor whose bytes are given. */
    public GgufWriter tensor(String name, GgmlType type, long[] dims, byte[] data) {
        long expected = new TensorInfo(name, dims, type, 0).byteSize();
        if (data.length != expected) {
            throw new IllegalArgumentException("tensor " + name + " needs " + expected + " bytes, got " + data.length);
        }
        return tensor(name, type, dims, out -> out.write(data));
    }

    /** Adds a tensor whose bytes are written later by {@code data}. */
    public GgufWriter tensor(String name, GgmlType type, long[] dims, TensorData data) {
        if (dims.length < 1 || dims.length > GgufReader.MAX_DIMS) {
            throw new IllegalArgumentException("1 to 4 dimensions");
        }
        if (dims[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("first dimension must be a multiple of " + type.blockSize());
        }
        tensors.add(new Pending(name, dims.clone(), type, data));
        return this;
    }

    /** Writes the file atomically: to a temporary sibling, then moved into place. */
    public void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".part");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                write(out);
            }
            // A temporary file is created 0600; a model is an ordinary file that a container running
            // as another user, or another local user sharing the models folder, must be able to read.
            if (Files.getFileStore(tmp).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes the file to a stream. */
    public void write(OutputStream raw) throws IOException {
        CountingOut out = new CountingOut(raw);
        out.i32(GgufReader.MAGIC);
        out.i32(3);
        out.i64(tensors.size());
        out.i64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            out.string(e.getKey());
            out.i32(e.getValue().type().id());
            value(out, e.getValue().type(), e.getValue().value());
        }
        long offset = 0;
        List<Long> offsets = new ArrayList<>();
        for (Pending t : tensors) {
            out.string(t.name());
            out.i32(t.dims().length);
            for (long d : t.dims()) {
                out.i64(d);
            }
            out.i32(t.type().id());
            out.i64(offset);
            offsets.add(offset);
            offset = GgufReader.align(offset + new TensorInfo(t.name(), t.dims(), t.type(), 0).byteSize(), alignment);
        }
        out.pad(alignment);
        long dataStart = out.count;
        for (int i = 0; i < tensors.size(); i++) {
            Pending t = tensors.get(i);
            long expectedStart = dataStart + offsets.get(i);
            out.padTo(expectedStart);
            long before = out.count;
            t.data().writeTo(out);
            long size = new TensorInfo(t.name(), t.dims(), t.type(), 0).byteSize();
            if (out.count - before != size) {
                throw new IOException("tensor " + t.name() + " wrote " + (out.count - before) + " bytes, expected " + size);
            }
        }
        out.pad(alignment);
        out.flush();
    }

    private static void value(CountingOut out, GgufType type, Object v) throws IOException {
        switch (type) {
            case UINT8: case INT8: case BOOL:
                out.write(type == GgufType.BOOL ? ((Boolean) v ? 1 : 0) : (int) (long) (Long) v);
                break;
            case UINT16: case INT16: out.i16((int) (long) (Long) v); break;
            case UINT32: case INT32: out.i32((int) (long) (Long) v); break;
            case UINT64: case INT64: out.i64((Long) v); break;
            case FLOAT32: out.i32(Float.floatToRawIntBits((Float) v)); break;
            case FLOAT64: out.i64(Double.doubleToRawLongBits((Double) v)); break;
            case STRING: out.string((String) v); break;
            default: array(out, (GgufValue.Array) v);
        }
    }

    /** Writes an array from its compact storage, element by element, without boxing. */
    private static void array(CountingOut out, GgufValue.Array a) throws IOException {
        out.i32(a.elementType().id());
        out.i64(a.size());
        for (int i = 0; i < a.size(); i++) {
            switch (a.elementType()) {
                case UINT8: case INT8: out.write((int) a.getLong(i)); break;
                case UINT16: case INT16: out.i16((int) a.getLong(i)); break;
                case UINT32: case INT32: out.i32((int) a.getLong(i)); break;
                case UINT64: case INT64: out.i64(a.getLong(i)); break;
                case FLOAT32: out.i32(Float.floatToRawIntBits(a.getFloat(i))); break;
                case FLOAT64: out.i64(Double.doubleToRawLongBits(a.getDouble(i))); break;
                case BOOL: out.write(a.getBoolean(i) ? 1 : 0); break;
                case STRING: out.string(a.getString(i)); break;
                default: array(out, a.getArray(i));
            }
        }
    }

    /** Little-endian output that knows how many bytes it wrote. */
    private static final class CountingOut extends OutputStream {
        private final OutputStream out;
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        long count;

        CountingOut(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        void i16(int v) throws IOException {
            scratch.clear();
            scratch.putShort((short) v);
            write(scratch.array(), 0, 2);
        }

        void i32(int v) throws IOException {
            scratch.clear();
            scratch.putInt(v);
            write(scratch.array(), 0, 4);
        }

        void i64(long v) throws IOException {
            scratch.clear();
            scratch.putLong(v);
            write(scratch.array(), 0, 8);
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            write(b, 0, b.length);
        }

        void pad(long alignment) throws IOException {
            padTo(GgufReader.align(count, alignment));
        }

        void padTo(long target) throws IOException {
            while (count < target) {
                write(0);
            }
        }
    }
}
