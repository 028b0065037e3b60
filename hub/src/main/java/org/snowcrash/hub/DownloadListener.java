package org.snowcrash.hub;

/**
 * Hears what a {@link HubDownloader} does. Called on the downloading thread, often (once per
 * buffer read for {@link #progress}): implementations must be fast, must not throw (what they
 * throw is ignored) and must not call back into the downloader.
 */
public interface DownloadListener {

    /** Hears nothing. */
    DownloadListener NONE = new DownloadListener() {
    };

    /**
     * A step worth one line for people: where the file comes from, a resume, a restart, that no
     * checksum is known.
     */
    default void note(String message) {
    }

    /**
     * Bytes of the file on disk so far (a resumed download starts above zero), out of {@code total}
     * ({@code -1} when the size is unknown).
     */
    default void progress(long done, long total) {
    }
}
