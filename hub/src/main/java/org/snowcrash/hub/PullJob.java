package org.snowcrash.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.snowcrash.api.Cancellation;
import org.snowcrash.models.ModelValidator;

/**
 * One pull: its state lives here so that the downloader itself stays stateless. HEAD for what
 * the hub says (the HTTP side is {@link HubCalls}), the present target checked, then the GET into
 * the locked partial file (resumed with {@code Range}, restarted when the server cannot), the
 * size, sha256 and GGUF header checked, and the atomic rename. Failures are classified by {@link HubFailures}.
 */
final class PullJob {

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final HttpUrl url;
    private final Path target;
    private final Path part;
    private final Cancellation cancel;
    private final DownloadListener listener;
    private long have;
    /** Bytes of an earlier partial file that this run kept (the server resumed after them). */
    private long resumedFrom;
    private final PartFile partFile;

    private final HubSettings settings;
    private final HubCalls calls;

    PullJob(HubSettings settings, HttpUrl hub, OkHttpClient http, OkHttpClient noRedirects, HttpUrl url, Path target,
            Cancellation cancel, DownloadListener listener) {
        this.settings = settings;
        this.calls = new HubCalls(settings, hub, http, noRedirects, cancel, new HubCalls.Failures() {
            @Override
            public DownloadException network(String where, IOException e) {
                return PullJob.this.network(where, e);
            }

            @Override
            public DownloadException interrupted() {
                return PullJob.this.interrupted();
            }
        });
        this.url = url;
        this.target = target;
        this.part = HubDownloader.partOf(target);
        this.partFile = new PartFile(part, listener);
        this.cancel = cancel;
        this.listener = listener;
    }

    void cancelCall() {
        calls.cancel();
    }

    PullResult run() throws DownloadException {
        HubMetadata meta = calls.head(url);
        Optional<PullResult> present = PresentTarget.check(target, part, meta, cancel, listener);
        if (present.isPresent()) {
            return present.get();
        }
        try {
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw local(target.getParent(), e, -1);
        }
        String sha;
        // NOFOLLOW_LINKS: the partial file is ours; a link planted in its place is not followed.
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            partFile.lock(ch);   // released when the channel closes
            have = ch.size();
            if (meta.size() >= 0 && have > meta.size()) {
                listener.note("the partial file " + part + " is longer than the hub's " + meta.size()
                        + " bytes: starting over");
                ch.truncate(0);
                have = 0;
            }
            MessageDigest digest = Sha256.digest();
            if (have > 0) {
                listener.note("resuming: " + have + " bytes already in " + part + " (reading them for the checksum)");
                hashPrefix(ch, digest);
            }
            meta = fetch(ch, digest, meta);
            ch.force(true);
            sha = Sha256.hex(digest);
        } catch (IOException e) {
            // Opening, locking, truncating or syncing the partial file (writes are handled in copy).
            throw partFile.dropIfEmpty(local(part, e, have), have);
        } catch (DownloadException e) {
            throw partFile.dropIfEmpty(e, have);
        }
        if (meta.size() >= 0 && have != meta.size()) {
            partFile.delete();
            throw new DownloadException(new DownloadFailure.SizeMismatch(url.toString(), meta.size(), have));
        }
        if (meta.sha256().isPresent()) {
            if (!meta.sha256().get().equals(sha)) {
                partFile.delete();
                throw new DownloadException(new DownloadFailure.ChecksumMismatch(url.toString(), meta.sha256().get(), sha));
            }
        } else {
            listener.note("the hub announced no sha256 for this file: only its GGUF header is checked");
        }
        if (ModelValidator.check(part) instanceof ModelValidator.Result.Invalid invalid) {
            partFile.delete();
            throw new DownloadException(new DownloadFailure.NotGguf(url.toString(), invalid.problem().detail()));
        }
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new DownloadException(new DownloadFailure.LocalIo(target,
                    "cannot rename " + part + " atomically into place: " + e.getMessage()), e);
        } catch (IOException e) {
            throw local(target, e, have);
        }
        return new PullResult.Downloaded(target, have, sha, meta.sha256().isPresent(), resumedFrom, meta.commit());
    }

    /** GETs the content into the partial file, resuming when it holds bytes; returns what the hub said. */
    private HubMetadata fetch(FileChannel ch, MessageDigest digest, HubMetadata meta) throws DownloadException, IOException {
        boolean restarted = false;
        while (true) {
            partFile.checkSpace(meta.size(), have);
            try (Response r = calls.get(url, have)) {
                meta = meta.or(HubMetadata.ofChain(r));
                int code = r.code();
                if (code == 416 && have > 0) {
                    if (meta.size() == have) {
                        listener.note("the partial file already holds all " + have + " bytes");
                        resumedFrom = have;
                        return meta;
                    }
                    if (restarted) {
                        throw calls.refused(r, r.request().url());
                    }
                    listener.note("the server cannot resume at byte " + have + " (416): starting over");
                    restart(ch, digest);
                    restarted = true;
                    continue;
                }
                if (code == 206) {
                    Matcher m = CONTENT_RANGE.matcher(Optional.ofNullable(r.header("Content-Range")).orElse(""));
                    if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                        if (restarted) {
                            throw new DownloadException(new DownloadFailure.Http(r.request().url().toString(), code,
                                    "unexpected Content-Range " + r.header("Content-Range")));
                        }
                        listener.note("the server resumed at the wrong place (" + r.header("Content-Range") + "): starting over");
                        restart(ch, digest);
                        restarted = true;
                        continue;
                    }
                    resumedFrom = have;
                    if (meta.size() < 0 && !m.group(3).equals("*")) {
                        meta = meta.or(new HubMetadata(Optional.empty(), Long.parseLong(m.group(3)), Optional.empty()));
                    }
                } else if (code == 200) {
                    if (have > 0) {
                        listener.note("the server sent the whole file instead of resuming at byte " + have + ": starting over");
                        restart(ch, digest);
                    }
                    long length = r.body().contentLength();
                    if (meta.size() < 0 && length >= 0) {
                        meta = meta.or(new HubMetadata(Optional.empty(), length, Optional.empty()));
                    }
                } else {
                    throw calls.refused(r, r.request().url());
                }
                partFile.checkSpace(meta.size(), have);
                copy(r, ch, digest, meta.size());
                if (meta.size() >= 0 && have < meta.size()) {
                    throw new DownloadException(new DownloadFailure.ConnectionFailed(r.request().url().toString(),
                            "the response ended after " + have + " of " + meta.size() + " bytes", part, have));
                }
                return meta;
            }
        }
    }

    private void copy(Response r, FileChannel ch, MessageDigest digest, long total) throws DownloadException {
        String from = r.request().url().toString();
        ResponseBody body = r.body();
        byte[] buf = new byte[Sha256.BUFFER];
        listener.progress(have, total);
        try (InputStream in = body.byteStream()) {
            while (true) {
                if (cancel.isCancelled() || Thread.currentThread().isInterrupted()) {
                    throw interrupted();
                }
                int n;
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    throw network(from, e);
                }
                if (n < 0) {
                    return;
                }
                try {
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    while (bb.hasRemaining()) {
                        ch.write(bb, have + (bb.position()));
                    }
                } catch (IOException e) {
                    // Drop a partly written buffer, so the file holds exactly what was hashed
                    // and counted (a resume reads it again anyway).
                    try {
                        ch.truncate(have);
                    } catch (IOException ignored) {
                        // The resume re-reads whatever the file holds.
                    }
                    throw local(part, e, total >= 0 ? total - have : 0);
                }
                digest.update(buf, 0, n);
                have += n;
                listener.progress(have, total);
            }
        } catch (IOException e) {
            // Closing the body stream; the content is already on disk.
            throw network(from, e);
        }
    }

    private void restart(FileChannel ch, MessageDigest digest) throws IOException {
        ch.truncate(0);
        digest.reset();
        have = 0;
    }

    private void hashPrefix(FileChannel ch, MessageDigest digest) throws IOException, DownloadException {
        if (!Sha256.update(ch, have, digest, cancel::isCancelled)) {
            throw interrupted();
        }
    }
    private DownloadException network(String where, IOException e) {
        if (cancel.isCancelled() || Thread.currentThread().isInterrupted()) {
            return interrupted();
        }
        return HubFailures.network(where, e, settings, part, have);
    }

    private DownloadException local(Path file, IOException e, long needed) {
        return HubFailures.local(file, e, needed, partFile.usableSpace(), part, have);
    }

    private DownloadException interrupted() {
        return new DownloadException(new DownloadFailure.Interrupted(part, have));
    }
}
