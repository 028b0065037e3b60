package org.snowcrash.hub;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.BooleanSupplier;

/** The sha256 of files, read in one place: a present target is checked with it, and a resumed partial file's prefix is hashed with it. */
final class Sha256 {

    static final int BUFFER = 64 * 1024;

    private Sha256() {
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static String hex(MessageDigest d) {
        return HexFormat.of().formatHex(d.digest());
    }

    /**
     * Feeds the first {@code length} bytes of {@code ch} (or all of it, when shorter) into
     * {@code d}; false when {@code cancelled} said so between two reads.
     */
    static boolean update(FileChannel ch, long length, MessageDigest d, BooleanSupplier cancelled) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        long pos = 0;
        while (pos < length) {
            if (cancelled.getAsBoolean()) {
                return false;
            }
            buf.clear();
            if (length - pos < BUFFER) {
                buf.limit((int) (length - pos));
            }
            int n = ch.read(buf, pos);
            if (n < 0) {
                break;
            }
            d.update(buf.array(), 0, n);
            pos += n;
        }
        return true;
    }
}
