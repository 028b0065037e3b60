package org.snowcrash.backend.docker;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's folder of slot files, {@code <base>/<owner id>/}, private to the caller
 * ({@code 0700}), with one sub-folder per model. The folder lives as long as the process: a lock
 * on its {@code .lock} file is held until the JVM ends (the kernel releases it however the process
 * ends, SIGKILL included), a shutdown hook deletes the folder, and the folder of a process that
 * ended without its hooks is deleted by the next process that opens the same base, because its
 * lock is free. The files in it are written by the model's server, which runs as the caller's own
 * {@code uid:gid}, so the caller may delete them.
 */
final class SlotDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(SlotDirectory.class);
    private static final String LOCK = ".lock";
    /** A folder without a lock file is one being made right now, unless it is older than this. */
    private static final Duration MAKING = Duration.ofMinutes(1);
    private static final Map<Path, SlotDirectory> OPEN = new ConcurrentHashMap<>();
    private static volatile boolean hookInstalled;

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private SlotDirectory(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * This process's folder under {@code base}, made (and the base swept of dead processes'
     * folders) on first use; empty, with the reason logged, when it cannot be made.
     */
    static Optional<SlotDirectory> open(Path base, String owner) {
        Path key = base.toAbsolutePath().normalize();
        try {
            return Optional.of(OPEN.computeIfAbsent(key, k -> {
                try {
                    return make(k, owner);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        } catch (java.io.UncheckedIOException | OverlappingFileLockException | SecurityException e) {
            LOG.info("slot cache off: cannot make a folder under {}: {}", key, e.getMessage());
            return Optional.empty();
        }
    }

    private static SlotDirectory make(Path base, String owner) throws IOException {
        Files.createDirectories(base);
        sweep(base, owner);
        Path dir = base.resolve(owner);
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectory(dir);
        }
        FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = ch.tryLock();
        if (lock == null) {
            ch.close();
            throw new IOException(dir + " is locked by another process");
        }
        installHook();
        return new SlotDirectory(dir, ch, lock);
    }

    /** Removes the folders of processes that ended without removing their own: their lock is free. */
    static void sweep(Path base, String owner) {
        try (DirectoryStream<Path> all = Files.newDirectoryStream(base, Files::isDirectory)) {
            for (Path other : all) {
                if (!other.getFileName().toString().equals(owner) && ownerGone(other)) {
                    LOG.info("removing the slot cache {} left by a process that has ended", other);
                    deleteTree(other);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot sweep {}: {}", base, e.toString());
        }
    }

    private static boolean ownerGone(Path other) throws IOException {
        Path lockFile = other.resolve(LOCK);
        if (!Files.exists(lockFile)) {
            Instant made = Files.getLastModifiedTime(other).toInstant();
            return made.isBefore(Instant.now().minus(MAKING));
        }
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return false; // another live process holds it
            }
            l.release();
            return true;
        } catch (OverlappingFileLockException e) {
            return false; // this JVM holds it
        }
    }

    /**
     * The folder the given model's server saves into (made on first use). Named by the model's id
     * and its file's path, size and modification time: a model file replaced under the same id
     * (other weights, perhaps of the same shape) never gets the old file's caches.
     */
    Path modelDir(String modelId, Path file) throws IOException {
        String identity = file.toAbsolutePath() + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file).toMillis();
        Path d = dir.resolve(SlotStore.safeName(modelId) + "-" + SlotStore.digest(identity).substring(0, 12));
        Files.createDirectories(d);
        return d;
    }

    Path path() {
        return dir;
    }

    private static synchronized void installHook() {
        if (!hookInstalled) {
            hookInstalled = true;
            Runtime.getRuntime().addShutdownHook(new Thread(SlotDirectory::closeAll, "snowcrash-slot-cache-exit"));
        }
    }

    /** Deletes every folder this process made. Runs at the JVM's exit; tests call it too. */
    static void closeAll() {
        for (Path k : OPEN.keySet()) {
            SlotDirectory d = OPEN.remove(k);
            if (d != null) {
                d.delete();
                SlotStore.forgetUnder(d.path());
            }
        }
    }

    private void delete() {
        deleteTree(dir);
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            // the lock goes with the process either way
        }
    }

    static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            LOG.warn("could not remove the slot cache {}: {}", root, e.toString());
        }
    }
}
