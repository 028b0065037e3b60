package org.snowcrash.models.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;

import static org.snowcrash.models.gguf.GgufReader.*;

/** Little-endian buffered reading with bounds checks against the file size. */
final class GgufInput {
    private final SeekableByteChannel ch;
    final HeapBudget heap;
    private final long size;
    private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    private long bufStart;

    GgufInput(SeekableByteChannel ch, HeapBudget heap) throws IOException {
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
