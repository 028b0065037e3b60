package org.snowcrash.hub;

import org.snowcrash.models.hub.HubSource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.Cancellation;
import org.snowcrash.testkit.Skip;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.hub.NginxHub.Delivery;

/**
 * A full disk, for real: the models directory is a small tmpfs. Mounting needs root: {@code .ci/run}
 * runs the {@code root} tag as root; elsewhere the class skips loudly, and fails under
 * {@value Skip#REQUIRE}=true.
 */
@org.junit.jupiter.api.Tag("root") // mount -t tmpfs needs root: .ci/run runs this tag as root, everything else as the test account
class HubDiskFullTest {

    @TempDir
    Path dir;
    private Path mount;
    private NginxHub hub;
    private byte[] model;
    private ExecutorService pool;

    @BeforeEach
    void setUp() throws Exception {
        NginxHub.assumeAvailable();
        Path file = dir.resolve("m.gguf");
        TinyLlama.demo().write(file);
        model = Files.readAllBytes(file);
        hub = new NginxHub(dir.resolve("hub")).lfs("acme/tiny-GGUF", "tiny.gguf", model, Delivery.FAST)
                .lfs("acme/slow-GGUF", "tiny.gguf", model, Delivery.SLOW).start();
        pool = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (pool != null) {
            pool.shutdownNow();
        }
        if (hub != null) {
            hub.close();
        }
        if (mount != null) {
            run("umount", mount.toString());
        }
    }

    /** Mounts a tmpfs of {@code bytes} at a fresh folder, or skips (loudly) when this machine cannot. */
    private Path tmpfs(long bytes) throws Exception {
        Path m = Files.createDirectories(dir.resolve("small"));
        String problem = run("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", m.toString());
        Skip.unless("cannot mount a tmpfs, needs root", problem == null ? "" : problem);
        mount = m;
        return m;
    }

    private HubDownloader downloader() {
        return new HubDownloader(new HubSettings(URI.create(hub.url()), Duration.ofSeconds(5), Duration.ofSeconds(10),
                Optional.empty()));
    }

    @Test
    void aFileLargerThanTheFreeSpaceFailsBeforeDownloadingWithTheFolderAndTheFreeBytes() throws Exception {
        Path small = tmpfs(128 * 1024);
        Path target = small.resolve("tiny/tiny.gguf");
        DownloadException e;
        try (HubDownloader d = downloader()) {
            e = assertThrows(DownloadException.class,
                    () -> d.pull(HubSource.parse("hf:acme/tiny-GGUF/tiny.gguf"), target, new Cancellation(), DownloadListener.NONE));
        }
        DownloadFailure.DiskFull full = assertInstanceOf(DownloadFailure.DiskFull.class, e.failure());
        assertEquals(target.getParent(), full.folder());
        assertTrue(full.freeBytes() <= 128 * 1024, full.describe());
        assertEquals(model.length - full.freeBytes(), full.neededBytes(), full.describe());
        assertTrue(full.describe().startsWith("no space left on the device of " + target.getParent() + ": "
                + full.freeBytes() + " bytes free, " + full.neededBytes() + " more needed"), full.describe());
        assertFalse(Files.exists(HubDownloader.partOf(target)), "nothing was written");
        assertTrue(hub.storageLog().isEmpty(), "nothing was fetched");
    }

    @Test
    void aDiskThatFillsUpMidDownloadIsDiskFullKeepingThePartialFileForAResume() throws Exception {
        Path small = tmpfs(2L * model.length);
        Path target = small.resolve("tiny/tiny.gguf");
        Path part = HubDownloader.partOf(target);
        Future<PullResult> pull = pool.submit(() -> {
            try (HubDownloader d = downloader()) {
                return d.pull(HubSource.parse("hf:acme/slow-GGUF/tiny.gguf"), target, new Cancellation(), DownloadListener.NONE);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(part) || Files.size(part) < 64 * 1024) {
            assertFalse(pull.isDone(), "the download ended before the disk was filled");
            assertTrue(System.nanoTime() < deadline, "the partial file did not grow");
            Thread.sleep(5);
        }
        // Something else fills the disk while the download runs.
        Path filler = small.resolve("filler");
        try (OutputStream out = Files.newOutputStream(filler)) {
            byte[] block = new byte[4096];
            while (true) {
                out.write(block);
            }
        } catch (IOException expected) {
            assertTrue(HubFailures.isNoSpace(expected), expected.toString());
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> pull.get(30, TimeUnit.SECONDS));
        DownloadFailure.DiskFull full = assertInstanceOf(DownloadFailure.DiskFull.class,
                assertInstanceOf(DownloadException.class, e.getCause()).failure());
        assertTrue(full.partKept(), full.describe());
        assertEquals(Files.size(part), full.bytesKept());
        assertTrue(full.describe().contains("no space left on the device of " + target.getParent()), full.describe());
        assertTrue(full.describe().contains("running the same command again resumes"), full.describe());

        Files.delete(filler);
        hub.slowRate("0").restart();
        PullResult.Downloaded done;
        try (HubDownloader d = downloader()) {
            done = assertInstanceOf(PullResult.Downloaded.class,
                    d.pull(HubSource.parse("hf:acme/slow-GGUF/tiny.gguf"), target, new Cancellation(), DownloadListener.NONE));
        }
        assertEquals(full.bytesKept(), done.resumedFrom());
        assertArrayEquals(model, Files.readAllBytes(target));
    }

    /** Runs a command; null when it succeeded, else what it printed. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", command) + " did not finish";
        }
        String out = new String(p.getInputStream().readAllBytes()).trim();
        return p.exitValue() == 0 ? null : String.join(" ", command) + ": exit " + p.exitValue() + " " + out;
    }
}
