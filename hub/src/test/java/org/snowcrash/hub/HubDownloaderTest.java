package org.snowcrash.hub;

import org.snowcrash.models.hub.HubSource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.Cancellation;
import org.snowcrash.testkit.TinyLlama;
import org.snowcrash.hub.NginxHub.Delivery;

/**
 * {@link HubDownloader} against a real HTTP server on loopback laid out like the Hugging Face hub
 * (nginx: a hub host that redirects to a storage host with the hub's headers). Every fault is
 * caused for real: nginx killed mid-file, a server that ignores ranges, a wrong announced
 * checksum, a gated repository, a full file system.
 */
class HubDownloaderTest {

    private static final String TOKEN = "hf_test_token_0123";
    private static byte[] model;
    private static ExecutorService pool;

    @TempDir
    Path dir;
    private NginxHub hub;
    private Path target;

    @BeforeAll
    static void writeModel(@TempDir Path tmp) throws IOException {
        NginxHub.assumeAvailable();
        Path file = tmp.resolve("m.gguf");
        TinyLlama.demo().write(file);
        model = Files.readAllBytes(file);
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "pull");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stopPool() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    @BeforeEach
    void startHub() throws Exception {
        byte[] notGguf = "<html>this is a login page, not a model</html>".getBytes(StandardCharsets.UTF_8);
        hub = new NginxHub(dir.resolve("hub"))
                .lfs("acme/tiny-GGUF", "tiny.gguf", model, Delivery.FAST)
                .lfs("acme/slow-GGUF", "tiny.gguf", model, Delivery.SLOW)
                .lfs("acme/norange-GGUF", "tiny.gguf", model, Delivery.NO_RANGES)
                .lfs("acme/bad-GGUF", "tiny.gguf", model, NginxHub.sha256("something else".getBytes(StandardCharsets.UTF_8)),
                        Delivery.FAST, null)
                .lfs("acme/gated-GGUF", "tiny.gguf", model, NginxHub.sha256(model), Delivery.FAST, TOKEN)
                .lfs("acme/html-GGUF", "tiny.gguf", notGguf, Delivery.FAST)
                .lfsWithoutHead("acme/nohead-GGUF", "tiny.gguf", model)
                .direct("acme/small", "tiny.gguf", model)
                .start();
        target = dir.resolve("models/tiny/tiny.gguf");
    }

    @AfterEach
    void stopHub() throws Exception {
        if (hub != null) {
            hub.close();
        }
    }

    private HubDownloader downloader(Optional<String> token) {
        return new HubDownloader(new HubSettings(URI.create(hub.url()), Duration.ofSeconds(5), Duration.ofSeconds(10), token));
    }

    private PullResult pull(String source) throws DownloadException {
        try (HubDownloader d = downloader(Optional.empty())) {
            return d.pull(HubSource.parse(source), target, new Cancellation(), DownloadListener.NONE);
        }
    }

    private DownloadFailure failure(String source, Optional<String> token) {
        try (HubDownloader d = downloader(token)) {
            return assertThrows(DownloadException.class,
                    () -> d.pull(HubSource.parse(source), target, new Cancellation(), DownloadListener.NONE)).failure();
        }
    }

    private Path part() {
        return HubDownloader.partOf(target);
    }

    @Test
    void downloadsThroughTheRedirectToTheStorageHostVerifiesAndMovesIntoPlace() throws Exception {
        Recorder rec = new Recorder();
        PullResult r;
        try (HubDownloader d = downloader(Optional.empty())) {
            r = d.pull(HubSource.parse("hf:acme/tiny-GGUF/tiny.gguf"), target, new Cancellation(), rec);
        }
        PullResult.Downloaded done = assertInstanceOf(PullResult.Downloaded.class, r);
        assertEquals(NginxHub.sha256(model), done.sha256());
        assertTrue(done.verified(), "the hub announced a sha256 and it matched");
        assertEquals(0, done.resumedFrom());
        assertEquals(Optional.of(NginxHub.COMMIT), done.commit());
        assertArrayEquals(model, Files.readAllBytes(target));
        assertFalse(Files.exists(part()), "no partial file is left");
        assertEquals(List.of(0L, (long) model.length), List.of(rec.progress.get(0), rec.progress.get(rec.progress.size() - 1)));
        assertEquals(List.of((long) model.length), rec.totals.stream().distinct().toList(), "the total was known from the start");
        List<String> hubLog = hub.awaitLog(false, l -> l.startsWith("GET "));
        assertTrue(hubLog.stream().anyMatch(l -> l.startsWith("HEAD /acme/tiny-GGUF/resolve/main/tiny.gguf 302 ")), hubLog.toString());
        assertTrue(hubLog.stream().anyMatch(l -> l.startsWith("GET /acme/tiny-GGUF/resolve/main/tiny.gguf 302 ")), hubLog.toString());
        List<String> storage = hub.awaitLog(true, l -> l.startsWith("GET "));
        assertEquals(1, storage.size(), "one GET on the storage host: " + storage);
        assertTrue(storage.get(0).matches("GET /fast/\\S+ 200 range=\"-\" auth=\"-\" sent=" + model.length), storage.toString());
    }

    @Test
    void aSecondPullFindsTheFileAlreadyPresentAndDownloadsNothing() throws Exception {
        pull("hf:acme/tiny-GGUF/tiny.gguf");
        hub.awaitLog(true, l -> l.startsWith("GET "));
        PullResult again = pull("hf:acme/tiny-GGUF/tiny.gguf");
        PullResult.AlreadyPresent present = assertInstanceOf(PullResult.AlreadyPresent.class, again);
        assertEquals(Optional.of(NginxHub.sha256(model)), present.sha256(), "checked against the hub's sha256");
        List<String> hubLog = hub.awaitLogCount(false, l -> l.startsWith("HEAD "), 2);
        assertEquals(2, hubLog.stream().filter(l -> l.startsWith("HEAD ")).count(), hubLog.toString());
        assertEquals(1, hubLog.stream().filter(l -> l.startsWith("GET ")).count(), "no second GET: " + hubLog);
        assertEquals(1, hub.storageLog().size(), hub.storageLog().toString());
    }

    @Test
    void aConnectionCutMidFileIsResumedWithARangeRequest() throws Exception {
        Future<PullResult> first = pool.submit(() -> pull("hf:acme/slow-GGUF/tiny.gguf"));
        long cutAt = awaitPartSize(100_000, first);
        hub.kill();
        ExecutionException cut = assertThrows(ExecutionException.class, () -> first.get(30, TimeUnit.SECONDS));
        DownloadFailure.ConnectionFailed f = assertInstanceOf(DownloadFailure.ConnectionFailed.class,
                assertInstanceOf(DownloadException.class, cut.getCause()).failure());
        assertTrue(f.partKept(), f.describe());
        long kept = Files.size(part());
        assertTrue(kept >= cutAt && kept < model.length, "kept " + kept + " of " + model.length);
        assertEquals(kept, f.bytesKept());
        assertTrue(f.describe().contains("running the same command again resumes"), f.describe());
        assertFalse(Files.exists(target));

        hub.slowRate("0").restart();
        PullResult.Downloaded done = assertInstanceOf(PullResult.Downloaded.class, pull("hf:acme/slow-GGUF/tiny.gguf"));
        assertEquals(kept, done.resumedFrom());
        assertTrue(done.verified());
        assertEquals(NginxHub.sha256(model), NginxHub.sha256(Files.readAllBytes(target)));
        List<String> storage = hub.awaitLog(true, l -> l.contains(" 206 "));
        assertTrue(storage.stream().anyMatch(l -> l.matches("GET /slow/\\S+ 206 range=\"bytes=" + kept + "-\" auth=\"-\" sent="
                + (model.length - kept))), "the second request asked for the rest only: " + storage);
        assertFalse(Files.exists(part()));
    }

    @Test
    void cancellingKeepsThePartialFileAndTheSameCallResumes() throws Exception {
        Cancellation cancel = new Cancellation();
        Future<PullResult> first = pool.submit(() -> {
            try (HubDownloader d = downloader(Optional.empty())) {
                return d.pull(HubSource.parse("hf:acme/slow-GGUF/tiny.gguf"), target, cancel, DownloadListener.NONE);
            }
        });
        awaitPartSize(64 * 1024, first);
        cancel.cancel();
        // The bound is a hang guard, not a speed claim: the slow server would take minutes more.
        ExecutionException e = assertThrows(ExecutionException.class, () -> first.get(60, TimeUnit.SECONDS));
        DownloadFailure.Interrupted f = assertInstanceOf(DownloadFailure.Interrupted.class,
                assertInstanceOf(DownloadException.class, e.getCause()).failure());
        assertEquals(Files.size(part()), f.bytesKept());
        assertTrue(f.bytesKept() > 0 && f.bytesKept() < model.length, f.describe());

        hub.slowRate("0").restart();
        PullResult.Downloaded done = assertInstanceOf(PullResult.Downloaded.class, pull("hf:acme/slow-GGUF/tiny.gguf"));
        assertEquals(f.bytesKept(), done.resumedFrom());
        assertArrayEquals(model, Files.readAllBytes(target));
    }

    @Test
    void aServerThatIgnoresTheRangeMakesTheDownloadStartOver() throws Exception {
        Files.createDirectories(target.getParent());
        Files.write(part(), Arrays.copyOf(model, 1000));
        Recorder rec = new Recorder();
        PullResult r;
        try (HubDownloader d = downloader(Optional.empty())) {
            r = d.pull(HubSource.parse("hf:acme/norange-GGUF/tiny.gguf"), target, new Cancellation(), rec);
        }
        PullResult.Downloaded done = assertInstanceOf(PullResult.Downloaded.class, r);
        assertEquals(0, done.resumedFrom(), "nothing of the partial file was kept");
        assertArrayEquals(model, Files.readAllBytes(target));
        assertTrue(rec.notes.stream().anyMatch(n -> n.contains("sent the whole file instead of resuming at byte 1000")), rec.notes.toString());
        List<String> storage = hub.awaitLog(true, l -> l.startsWith("GET "));
        assertTrue(storage.get(0).matches("GET /norange/\\S+ 200 range=\"bytes=1000-\" .*"), storage.toString());
    }

    @Test
    void aCompletePartialFileIsVerifiedAndMovedWithoutDownloadingAgain() throws Exception {
        Files.createDirectories(target.getParent());
        Files.write(part(), model);
        PullResult.Downloaded done = assertInstanceOf(PullResult.Downloaded.class, pull("hf:acme/tiny-GGUF/tiny.gguf"));
        assertEquals(model.length, done.resumedFrom());
        assertTrue(done.verified());
        assertArrayEquals(model, Files.readAllBytes(target));
        List<String> storage = hub.awaitLog(true, l -> l.startsWith("GET "));
        assertTrue(storage.get(0).matches("GET /fast/\\S+ 416 range=\"bytes=" + model.length + "-\" .*"), storage.toString());
    }

    @Test
    void aWrongChecksumDeletesThePartialFileAndFailsNamingBothSums() throws Exception {
        DownloadFailure f = failure("hf:acme/bad-GGUF/tiny.gguf", Optional.empty());
        DownloadFailure.ChecksumMismatch m = assertInstanceOf(DownloadFailure.ChecksumMismatch.class, f);
        assertEquals(NginxHub.sha256("something else".getBytes(StandardCharsets.UTF_8)), m.expected());
        assertEquals(NginxHub.sha256(model), m.actual());
        assertTrue(m.describe().contains(m.expected()) && m.describe().contains(m.actual()), m.describe());
        assertFalse(Files.exists(part()), "the partial file is deleted");
        assertFalse(Files.exists(target));
    }

    @Test
    void aCorruptPartialFileIsCaughtByTheChecksumAfterTheResume() throws Exception {
        Files.createDirectories(target.getParent());
        byte[] wrong = Arrays.copyOf(model, 5000);
        wrong[4000] ^= 1;
        Files.write(part(), wrong);
        DownloadFailure.ChecksumMismatch m = assertInstanceOf(DownloadFailure.ChecksumMismatch.class,
                failure("hf:acme/tiny-GGUF/tiny.gguf", Optional.empty()));
        assertEquals(NginxHub.sha256(model), m.expected());
        assertFalse(Files.exists(part()));
        assertEquals(0, Files.list(target.getParent()).count(), "nothing left in the folder");
        // The next run starts from zero and succeeds.
        assertArrayEquals(model, Files.readAllBytes(pull("hf:acme/tiny-GGUF/tiny.gguf").file()));
    }

    @Test
    void aGatedRepositoryNeedsTheTokenWhichNeverReachesTheStorageHost() throws Exception {
        DownloadFailure.Unauthorized none = assertInstanceOf(DownloadFailure.Unauthorized.class,
                failure("hf:acme/gated-GGUF/tiny.gguf", Optional.empty()));
        assertEquals(401, none.status());
        assertFalse(none.tokenSent());
        assertTrue(none.describe().contains("set HF_TOKEN"), none.describe());
        assertTrue(none.describe().contains(hub.url() + "/acme/gated-GGUF/resolve/main/tiny.gguf"), none.describe());
        DownloadFailure.Unauthorized wrong = assertInstanceOf(DownloadFailure.Unauthorized.class,
                failure("hf:acme/gated-GGUF/tiny.gguf", Optional.of("hf_wrong")));
        assertTrue(wrong.tokenSent());
        assertTrue(wrong.describe().contains("the token in HF_TOKEN was refused"), wrong.describe());
        assertFalse(Files.exists(part()), "a refusal leaves no file");

        PullResult r;
        try (HubDownloader d = downloader(Optional.of(TOKEN))) {
            r = d.pull(HubSource.parse("hf:acme/gated-GGUF/tiny.gguf"), target, new Cancellation(), DownloadListener.NONE);
        }
        assertTrue(assertInstanceOf(PullResult.Downloaded.class, r).verified());
        List<String> hubLog = hub.awaitLog(false, l -> l.startsWith("GET ") && l.contains(" 302 "));
        assertTrue(hubLog.stream().anyMatch(l -> l.startsWith("GET /acme/gated-GGUF/resolve/main/tiny.gguf 302 ")
                && l.contains("auth=\"Bearer " + TOKEN + "\"")), "the hub got the token: " + hubLog);
        List<String> storage = hub.awaitLog(true, l -> l.startsWith("GET "));
        assertEquals(1, storage.size(), storage.toString());
        assertTrue(storage.get(0).contains(" 200 ") && storage.get(0).contains("auth=\"-\""),
                "the storage host (another host) got no Authorization header: " + storage);
    }

    @Test
    void aMissingFileIsNotFoundNamingTheUrl() {
        DownloadFailure.NotFound f = assertInstanceOf(DownloadFailure.NotFound.class,
                failure("hf:acme/missing-GGUF/nothing.gguf@v2", Optional.empty()));
        assertEquals(hub.url() + "/acme/missing-GGUF/resolve/v2/nothing.gguf", f.url());
        assertTrue(f.describe().contains(f.url() + " (404)"), f.describe());
        assertFalse(Files.exists(target.getParent()), "nothing was created");
    }

    @Test
    void aFileThatIsNotGgufIsDeleted() {
        DownloadFailure.NotGguf f = assertInstanceOf(DownloadFailure.NotGguf.class,
                failure("hf:acme/html-GGUF/tiny.gguf", Optional.empty()));
        assertTrue(f.describe().contains("not a GGUF file"), f.describe());
        assertFalse(Files.exists(part()));
        assertFalse(Files.exists(target));
    }

    @Test
    void withoutAnAnnouncedChecksumOnlyTheGgufHeaderIsCheckedAndTheOutputSaysSo() throws Exception {
        Recorder rec = new Recorder();
        PullResult r;
        try (HubDownloader d = downloader(Optional.empty())) {
            r = d.pull(HubSource.parse("hf:acme/small/tiny.gguf"), target, new Cancellation(), rec);
        }
        PullResult.Downloaded done = assertInstanceOf(PullResult.Downloaded.class, r);
        assertFalse(done.verified());
        assertEquals(NginxHub.sha256(model), done.sha256(), "the sha256 is still computed and reported");
        assertArrayEquals(model, Files.readAllBytes(target));
        assertTrue(rec.notes.contains("the hub announced no sha256 for this file: only its GGUF header is checked"), rec.notes.toString());
        assertEquals(List.of((long) model.length), rec.totals.stream().distinct().toList(), "size from Content-Length");
        List<String> hubLog = hub.awaitLog(false, l -> l.startsWith("GET "));
        assertTrue(hubLog.stream().anyMatch(l -> l.startsWith("GET /acme/small/resolve/main/tiny.gguf 200 ")), hubLog.toString());
        assertTrue(hub.storageLog().isEmpty(), "served by the hub itself");
    }

    @Test
    void aMirrorThatRefusesHeadIsReadFromTheRedirectOfTheGet() throws Exception {
        PullResult.Downloaded done = assertInstanceOf(PullResult.Downloaded.class, pull("hf:acme/nohead-GGUF/tiny.gguf"));
        assertTrue(done.verified(), "the sha256 came from the GET's redirect");
        assertEquals(Optional.of(NginxHub.COMMIT), done.commit());
        assertArrayEquals(model, Files.readAllBytes(target));
        List<String> hubLog = hub.awaitLog(false, l -> l.startsWith("GET "));
        assertTrue(hubLog.stream().anyMatch(l -> l.startsWith("HEAD /acme/nohead-GGUF/resolve/main/tiny.gguf 405 ")), hubLog.toString());
    }

    @Test
    void twoPullsNeverWriteIntoOnePartialFile() throws Exception {
        Files.createDirectories(target.getParent());
        Files.write(part(), Arrays.copyOf(model, 100));
        try (java.nio.channels.FileChannel other = java.nio.channels.FileChannel.open(part(),
                java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock held = other.lock()) {
            DownloadFailure.LocalIo f = assertInstanceOf(DownloadFailure.LocalIo.class,
                    failure("hf:acme/tiny-GGUF/tiny.gguf", Optional.empty()));
            assertTrue(held.isValid());
            assertEquals(part() + ": another snowcrash pull is downloading into this file; wait for it to finish", f.describe());
        }
        assertEquals(100, Files.size(part()), "the other pull's partial file is untouched");
    }

    @Test
    void aPresentFileThatDiffersFromTheHubsIsReplacedAtomically() throws Exception {
        Path other = dir.resolve("other.gguf");
        new TinyLlama(1, 32, 4, 64, 256, org.snowcrash.models.gguf.GgmlType.F32, 1).write(other);
        Files.createDirectories(target.getParent());
        Files.copy(other, target);
        Recorder rec = new Recorder();
        try (HubDownloader d = downloader(Optional.empty())) {
            assertInstanceOf(PullResult.Downloaded.class,
                    d.pull(HubSource.parse("hf:acme/tiny-GGUF/tiny.gguf"), target, new Cancellation(), rec));
        }
        assertArrayEquals(model, Files.readAllBytes(target));
        assertTrue(rec.notes.stream().anyMatch(n -> n.contains("the hub's is " + NginxHub.sha256(model) + ": downloading it again")),
                rec.notes.toString());
    }

    /** Waits (bounded) until the partial file holds at least {@code bytes}; fails if the pull ended first. */
    private long awaitPartSize(long bytes, Future<?> pull) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            long size = Files.exists(part()) ? Files.size(part()) : 0;
            if (size >= bytes) {
                return size;
            }
            if (pull.isDone()) {
                pull.get();
                throw new AssertionError("the download ended before " + bytes + " bytes");
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the partial file did not reach " + bytes + " bytes in 30 s (has " + size + ")");
            }
            Thread.sleep(5);
        }
    }

    /** Records what a listener hears. */
    static final class Recorder implements DownloadListener {
        final List<String> notes = new CopyOnWriteArrayList<>();
        final List<Long> progress = new ArrayList<>();
        final List<Long> totals = new ArrayList<>();

        @Override
        public void note(String message) {
            notes.add(message);
        }

        @Override
        public synchronized void progress(long done, long total) {
            progress.add(done);
            totals.add(total);
        }
    }
}
