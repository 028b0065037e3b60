package org.snowcrash.hub;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The partial file a pull writes into ({@code <file>.part}, next to the target so the final rename
 * is atomic): its lock, so two pulls never append to one file; the disk space it still needs; and
 * its removal, only by the pull that holds the lock. One per pull; not thread-safe.
 */
final class PartFile {

    private final Path path;
    private final DownloadListener listener;
    private boolean locked;

    PartFile(Path path, DownloadListener listener) {
        this.path = path;
        this.listener = listener;
    }

    /** Takes the lock on the open channel (released when it closes), or fails saying another pull has it. */
    void lock(FileChannel ch) throws DownloadException, IOException {
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock != null) {
            locked = true;
        } else {
            ch.close();
            throw new DownloadException(new DownloadFailure.LocalIo(path,
                    "another snowcrash pull is downloading into this file; wait for it to finish"));
        }
    }

    /** Fails early when the disk cannot hold the rest of a {@code size}-byte file of which {@code have} bytes are here. */
    void checkSpace(long size, long have) throws DownloadException {
        if (size < 0) {
            return;
        }
        long need = size - have;
        long free = usableSpace();
        if (free >= 0 && need > free) {
            throw new DownloadException(new DownloadFailure.DiskFull(path.getParent(), free, need - free, path, have));
        }
    }

    /** Free bytes where the file is, or -1 when the file system does not say. */
    long usableSpace() {
        try {
            return Files.getFileStore(path.getParent()).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    /** A failure before any byte arrived leaves no empty partial file behind (unless another pull owns it). */
    DownloadException dropIfEmpty(DownloadException e, long have) {
        if (locked && have == 0) {
            delete();
        }
        return e;
    }

    /** Deletes it; a failure is a note, never an error (the download's own outcome matters more). */
    void delete() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            listener.note("could not delete " + path + ": " + e.getMessage());
        }
    }
}
