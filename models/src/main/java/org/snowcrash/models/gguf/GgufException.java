package org.snowcrash.models.gguf;

/**
 * A file is not a GGUF file we can read: wrong magic, unsupported version, a count or length
 * beyond the file or our limits, a truncation. The message says what and at which byte offset.
 */
public final class GgufException extends Exception {

    private static final long serialVersionUID = 1L;

    private final long offset;

    public GgufException(String message, long offset) {
        super(message + (offset >= 0 ? " (at byte " + offset + ")" : ""));
        this.offset = offset;
    }

    public GgufException(String message, long offset, Throwable cause) {
        super(message + (offset >= 0 ? " (at byte " + offset + ")" : ""), cause);
        this.offset = offset;
    }

    /** The byte offset where the problem was found, or -1. */
    public long offset() {
        return offset;
    }
}
