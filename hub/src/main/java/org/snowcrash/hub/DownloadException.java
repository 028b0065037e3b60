package org.snowcrash.hub;

import java.util.Objects;

/** A download failed; {@link #failure()} says why in a typed way, the message says it for people. */
public final class DownloadException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient DownloadFailure failure;

    public DownloadException(DownloadFailure failure) {
        this(failure, null);
    }

    public DownloadException(DownloadFailure failure, Throwable cause) {
        super(failure.describe(), cause);
        this.failure = Objects.requireNonNull(failure);
    }

    /** The typed reason. */
    public DownloadFailure failure() {
        return failure;
    }
}
