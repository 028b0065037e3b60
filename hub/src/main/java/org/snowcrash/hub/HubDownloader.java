package org.snowcrash.hub;

import org.snowcrash.models.hub.HubSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

import org.snowcrash.api.Cancellation;
import org.snowcrash.models.ModelValidator;

/**
 * Fetches a model file from a Hugging Face style hub into the models directory: resumable,
 * verified and atomic.
 *
 * <p>The hub's layout: the file is at {@code <hub>/<owner>/<repo>/resolve/<revision>/<file>}; a
 * large (LFS) file answers with a redirect to a storage host and carries {@code X-Linked-Etag}
 * (the content's sha256, quoted) and {@code X-Linked-Size}; {@code X-Repo-Commit} names the
 * revision. A {@code HEAD} request reads those first (following same-host redirects only, as the
 * hub's own client does), then a {@code GET} fetches the content, with OkHttp following the
 * redirect.
 *
 * <p>On disk: bytes go to {@code <file>.part} next to the target (same folder, hence same file
 * system, so the final rename is atomic). A partial file left by an earlier run is resumed with
 * {@code Range: bytes=N-} (206 appends; 200 means the server ignored the range, so it starts over;
 * 416 means the partial is complete or too long). Before the rename the sha256 is checked against
 * the hub's (a mismatch deletes the partial) and the GGUF header is validated with
 * {@link ModelValidator} (a file that is not a usable GGUF is deleted). A target that is already a
 * sound GGUF matching the hub's sha256 is left alone.
 *
 * <p>The token ({@code HF_TOKEN}) is sent to the hub's host only: OkHttp drops the
 * {@code Authorization} header when a redirect leads to another host, so the storage host never
 * sees it.
 *
 * <p>One instance holds one OkHttp client; {@link #pull} may be called from several threads for
 * different targets (a second pull of the same target fails while the first holds its lock).
 */
public final class HubDownloader implements AutoCloseable {

    private static final int BUFFER = 64 * 1024;
    private static final int MAX_SAME_HOST_REDIRECTS = 5;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final HubSettings settings;
    private final HttpUrl hub;
    private final OkHttpClient http;
    private final OkHttpClient noRedirects;

    public HubDownloader(HubSettings settings) {
        this.settings = Objects.requireNonNull(settings);
        this.hub = HttpUrl.get(settings.url().toString());
        this.http = new OkHttpClient.Builder()
                .connectTimeout(settings.connectTimeout())
                // The read timeout bounds silence, not the whole transfer: a multi-gigabyte
                // download may take an hour, but no byte for readTimeout is a stall.
                .readTimeout(settings.readTimeout())
                .writeTimeout(settings.readTimeout())
                .followRedirects(true)
                .followSslRedirects(true)
                .build();
        this.noRedirects = http.newBuilder().followRedirects(false).followSslRedirects(false).build();
    }

    /** The address a source is fetched from. */
    public HttpUrl urlOf(HubSource source) {
        HttpUrl.Builder b = hub.newBuilder();
        source.resolveSegments().forEach(b::addPathSegment);
        return b.build();
    }

    /** The partial file that belongs to a target. */
    public static Path partOf(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    /**
     * Makes {@code target} hold the source's file. Blocks until done, failed or cancelled.
     *
     * @param source   where the file is on the hub
     * @param target   where it goes (its folder is created)
     * @param cancel   cancelling it (from any thread) stops the transfer at once, keeping the partial file
     * @param listener hears progress and notes
     * @return whether the file was already present or was downloaded
     * @throws DownloadException with the typed reason; {@link DownloadFailure#partKept()} says
     *                           whether the same call later resumes
     */
    public PullResult pull(HubSource source, Path target, Cancellation cancel, DownloadListener listener)
            throws DownloadException {
        Objects.requireNonNull(source);
        Objects.requireNonNull(cancel);
        Job job = new Job(urlOf(source), target.toAbsolutePath().normalize(), cancel, safe(listener));
        cancel.onCancel(job::cancelCall);
        return job.run();
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    /** What the hub said about the file before the content was fetched. */
    private record Metadata(Optional<String> sha256, long size, Optional<String> commit) {
        static final Metadata UNKNOWN = new Metadata(Optional.empty(), -1, Optional.empty());

        /** This, with what {@code other} knows and this does not. */
        Metadata or(Metadata other) {
            return new Metadata(sha256.or(other::sha256), size >= 0 ? size : other.size, commit.or(other::commit));
        }
    }

    /** One pull: its state lives here so that the downloader itself stays stateless. */
    private final class Job {
        private final HttpUrl url;
        private final Path target;
        private final Path part;
        private final Cancellation cancel;
        private final DownloadListener listener;
        private final AtomicReference<Call> call = new AtomicReference<>();
        private long have;
        /** Bytes of an earlier partial file that this run kept (the server resumed after them). */
        private long resumedFrom;
        private boolean locked;

        Job(HttpUrl url, Path target, Cancellation cancel, DownloadListener listener) {
            this.url = url;
            this.target = target;
            this.part = partOf(target);
            this.cancel = cancel;
            this.listener = listener;
        }

        void cancelCall() {
            Call c = call.get();
            if (c != null) {
                c.cancel();
            }
        }

        PullResult run() throws DownloadException {
            Metadata meta = head();
            Optional<PullResult> present = alreadyPresent(meta);
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
                lock(ch);   // released when the channel closes
                have = ch.size();
                if (meta.size() >= 0 && have > meta.size()) {
                    listener.note("the partial file " + part + " is longer than the hub's " + meta.size()
                            + " bytes: starting over");
                    ch.truncate(0);
                    have = 0;
                }
                MessageDigest digest = sha256();
                if (have > 0) {
                    listener.note("resuming: " + have + " bytes already in " + part + " (reading them for the checksum)");
                    hashPrefix(ch, digest);
                }
                meta = fetch(ch, digest, meta);
                ch.force(true);
                sha = HexFormat.of().formatHex(digest.digest());
            } catch (IOException e) {
                // Opening, locking, truncating or syncing the partial file (writes are handled in copy).
                throw dropEmptyPart(local(part, e, have));
            } catch (DownloadException e) {
                throw dropEmptyPart(e);
            }
            if (meta.size() >= 0 && have != meta.size()) {
                deletePart();
                throw new DownloadException(new DownloadFailure.SizeMismatch(url.toString(), meta.size(), have));
            }
            if (meta.sha256().isPresent()) {
                if (!meta.sha256().get().equals(sha)) {
                    deletePart();
                    throw new DownloadException(new DownloadFailure.ChecksumMismatch(url.toString(), meta.sha256().get(), sha));
                }
            } else {
                listener.note("the hub announced no sha256 for this file: only its GGUF header is checked");
            }
            if (ModelValidator.check(part) instanceof ModelValidator.Result.Invalid invalid) {
                deletePart();
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

        /** HEAD on the hub: sha256, size and commit, or the hub's refusal. */
        private Metadata head() throws DownloadException {
            HttpUrl current = url;
            for (int hop = 0; hop <= MAX_SAME_HOST_REDIRECTS; hop++) {
                try (Response r = execute(noRedirects, request(current).head().build())) {
                    if (r.isRedirect()) {
                        String location = r.header("Location");
                        HttpUrl next = location == null ? null : current.resolve(location);
                        // The hub itself redirects within its host (a renamed repository); the
                        // redirect to the storage host is where the LFS headers are, so stop there.
                        if (next != null && r.header("X-Linked-Etag") == null && sameOrigin(next, current)) {
                            current = next;
                            continue;
                        }
                        return metadata(r);
                    }
                    if (r.isSuccessful()) {
                        return metadata(r);
                    }
                    if (r.code() == 405 || r.code() == 501) {
                        // A mirror that does not answer HEAD: learn what we can from the GET's redirects.
                        return Metadata.UNKNOWN;
                    }
                    throw refused(r, current);
                }
            }
            throw new DownloadException(new DownloadFailure.Http(url.toString(), 310,
                    "more than " + MAX_SAME_HOST_REDIRECTS + " redirects"));
        }

        private Optional<PullResult> alreadyPresent(Metadata meta) throws DownloadException {
            if (!Files.exists(target)) {
                return Optional.empty();
            }
            if (ModelValidator.check(target) instanceof ModelValidator.Result.Invalid invalid) {
                listener.note(target + " is there but not usable (" + invalid.problem().detail() + "): downloading it again");
                return Optional.empty();
            }
            long size;
            try {
                size = Files.size(target);
            } catch (IOException e) {
                throw local(target, e, -1);
            }
            if (meta.sha256().isEmpty()) {
                if (meta.size() < 0 || meta.size() == size) {
                    listener.note("the hub announced no sha256 for this file: the present file's GGUF header is sound");
                    return Optional.of(new PullResult.AlreadyPresent(target, size, Optional.empty()));
                }
                listener.note(target + " is " + size + " bytes, the hub's is " + meta.size() + ": downloading it again");
                return Optional.empty();
            }
            listener.note("checking the sha256 of " + target);
            String sha;
            try (FileChannel ch = FileChannel.open(target, StandardOpenOption.READ)) {
                MessageDigest d = sha256();
                long n = ch.size();
                ByteBuffer buf = ByteBuffer.allocate(BUFFER);
                long pos = 0;
                while (pos < n) {
                    if (cancel.isCancelled()) {
                        throw new DownloadException(new DownloadFailure.Interrupted(part, 0));
                    }
                    buf.clear();
                    int r = ch.read(buf, pos);
                    if (r < 0) {
                        break;
                    }
                    d.update(buf.array(), 0, r);
                    pos += r;
                }
                sha = HexFormat.of().formatHex(d.digest());
            } catch (IOException e) {
                throw local(target, e, -1);
            }
            if (sha.equals(meta.sha256().get())) {
                return Optional.of(new PullResult.AlreadyPresent(target, size, Optional.of(sha)));
            }
            listener.note(target + " has sha256 " + sha + ", the hub's is " + meta.sha256().get() + ": downloading it again");
            return Optional.empty();
        }

        /** GETs the content into the partial file, resuming when it holds bytes; returns what the hub said. */
        private Metadata fetch(FileChannel ch, MessageDigest digest, Metadata meta) throws DownloadException, IOException {
            boolean restarted = false;
            while (true) {
                checkSpace(meta);
                Request.Builder rb = request(url).get();
                if (have > 0) {
                    rb.header("Range", "bytes=" + have + "-");
                }
                try (Response r = execute(http, rb.build())) {
                    meta = meta.or(chainMetadata(r));
                    int code = r.code();
                    if (code == 416 && have > 0) {
                        if (meta.size() == have) {
                            listener.note("the partial file already holds all " + have + " bytes");
                            resumedFrom = have;
                            return meta;
                        }
                        if (restarted) {
                            throw refused(r, r.request().url());
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
                            meta = meta.or(new Metadata(Optional.empty(), Long.parseLong(m.group(3)), Optional.empty()));
                        }
                    } else if (code == 200) {
                        if (have > 0) {
                            listener.note("the server sent the whole file instead of resuming at byte " + have + ": starting over");
                            restart(ch, digest);
                        }
                        long length = r.body().contentLength();
                        if (meta.size() < 0 && length >= 0) {
                            meta = meta.or(new Metadata(Optional.empty(), length, Optional.empty()));
                        }
                    } else {
                        throw refused(r, r.request().url());
                    }
                    checkSpace(meta);
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
            byte[] buf = new byte[BUFFER];
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
            ByteBuffer buf = ByteBuffer.allocate(BUFFER);
            long pos = 0;
            while (pos < have) {
                if (cancel.isCancelled()) {
                    throw interrupted();
                }
                buf.clear();
                if (have - pos < BUFFER) {
                    buf.limit((int) (have - pos));
                }
                int n = ch.read(buf, pos);
                if (n < 0) {
                    break;
                }
                digest.update(buf.array(), 0, n);
                pos += n;
            }
        }

        /** Fails early when the disk cannot hold the rest of the file. */
        private void checkSpace(Metadata meta) throws DownloadException {
            if (meta.size() < 0) {
                return;
            }
            long need = meta.size() - have;
            long free = usableSpace();
            if (free >= 0 && need > free) {
                throw new DownloadException(new DownloadFailure.DiskFull(part.getParent(), free, need - free, part, have));
            }
        }

        private long usableSpace() {
            try {
                return Files.getFileStore(part.getParent()).getUsableSpace();
            } catch (IOException e) {
                return -1;
            }
        }

        private Response execute(OkHttpClient client, Request request) throws DownloadException {
            if (cancel.isCancelled()) {
                throw interrupted();
            }
            Call c = client.newCall(request);
            call.set(c);
            if (cancel.isCancelled()) {
                throw interrupted();
            }
            try {
                return c.execute();
            } catch (IOException e) {
                throw network(request.url().toString(), e);
            }
        }

        /** The request to a URL, with the token when the URL is on the hub's own host. */
        private Request.Builder request(HttpUrl u) {
            Request.Builder b = new Request.Builder().url(u)
                    .header("User-Agent", "snowcrash")
                    // Byte offsets must be those of the file itself (resume, Content-Length,
                    // checksum): never let a server compress the body in transit.
                    .header("Accept-Encoding", "identity");
            if (settings.token().isPresent() && sameOrigin(u, hub)) {
                b.header("Authorization", "Bearer " + settings.token().get());
            }
            return b;
        }

        private DownloadException refused(Response r, HttpUrl at) {
            int code = r.code();
            String where = at.toString();
            DownloadFailure f;
            if ((code == 401 || code == 403) && sameOrigin(at, hub)) {
                f = new DownloadFailure.Unauthorized(where, code, r.request().header("Authorization") != null);
            } else if (code == 404) {
                f = new DownloadFailure.NotFound(where);
            } else {
                f = new DownloadFailure.Http(where, code, r.message());
            }
            return new DownloadException(f);
        }

        private DownloadException network(String where, IOException e) {
            if (cancel.isCancelled() || Thread.currentThread().isInterrupted()) {
                return interrupted();
            }
            String message = String.valueOf(e.getMessage());
            if (e instanceof SocketTimeoutException && !message.toLowerCase(Locale.ROOT).contains("connect")) {
                return new DownloadException(new DownloadFailure.Stalled(where, settings.readTimeout(), part, have), e);
            }
            String detail = e instanceof SocketTimeoutException
                    ? "no connection within " + settings.connectTimeout().toMillis() + " ms (snowcrash.hub.connect-timeout)"
                    : e.getClass().getSimpleName() + ": " + message;
            return new DownloadException(new DownloadFailure.ConnectionFailed(where, detail, part, have), e);
        }

        private DownloadException local(Path file, IOException e, long needed) {
            if (isNoSpace(e)) {
                Path folder = Files.isDirectory(file) ? file : file.getParent();
                long free = usableSpace();
                return new DownloadException(new DownloadFailure.DiskFull(folder, Math.max(free, 0), Math.max(needed, 0), part, have), e);
            }
            return new DownloadException(new DownloadFailure.LocalIo(file, e.getClass().getSimpleName() + ": " + e.getMessage()), e);
        }

        private DownloadException interrupted() {
            return new DownloadException(new DownloadFailure.Interrupted(part, have));
        }

        /** Takes the partial file's lock, so that two pulls never append to one file. */
        private void lock(FileChannel ch) throws DownloadException, IOException {
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
                throw new DownloadException(new DownloadFailure.LocalIo(part,
                        "another snowcrash pull is downloading into this file; wait for it to finish"));
            }
        }

        /** A failure before any byte arrived leaves no empty partial file behind (unless another pull owns it). */
        private DownloadException dropEmptyPart(DownloadException e) {
            if (locked && have == 0) {
                deletePart();
            }
            return e;
        }

        private void deletePart() {
            try {
                Files.deleteIfExists(part);
            } catch (IOException e) {
                listener.note("could not delete " + part + ": " + e.getMessage());
            }
        }
    }

    /** What the response (HEAD, or the redirect chain of a GET) says about the file. */
    private static Metadata metadata(Response r) {
        Optional<String> sha = sha256Of(r.header("X-Linked-Etag"));
        if (sha.isEmpty() && r.isSuccessful()) {
            // A small (non-LFS) file: its ETag is a sha256 only when it looks like one.
            sha = sha256Of(r.header("ETag"));
        }
        long size = parseLong(r.header("X-Linked-Size"));
        if (size < 0 && r.isSuccessful() && r.code() != 206) {
            size = parseLong(r.header("Content-Length"));
        }
        Optional<String> commit = Optional.ofNullable(r.header("X-Repo-Commit")).map(String::trim).filter(s -> !s.isEmpty());
        return new Metadata(sha, size, commit);
    }

    /** The hub's headers may be on a response before the final one (the redirect). */
    private static Metadata chainMetadata(Response r) {
        Metadata m = Metadata.UNKNOWN;
        for (Response x = r.priorResponse(); x != null; x = x.priorResponse()) {
            m = m.or(metadata(x));
        }
        Optional<String> sha = sha256Of(r.header("X-Linked-Etag"));
        return m.or(new Metadata(sha, parseLong(r.header("X-Linked-Size")), Optional.empty()));
    }

    static Optional<String> sha256Of(String etag) {
        if (etag == null) {
            return Optional.empty();
        }
        String t = etag.trim();
        if (t.startsWith("W/")) {
            t = t.substring(2);
        }
        t = t.replace("\"", "").toLowerCase(Locale.ROOT);
        return SHA256.matcher(t).matches() ? Optional.of(t) : Optional.empty();
    }

    private static long parseLong(String s) {
        if (s == null) {
            return -1;
        }
        try {
            long v = Long.parseLong(s.trim());
            return v >= 0 ? v : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean sameOrigin(HttpUrl a, HttpUrl b) {
        return a.scheme().equals(b.scheme()) && a.host().equalsIgnoreCase(b.host()) && a.port() == b.port();
    }

    /** ENOSPC as Java reports it (Linux, macOS) or Windows' wording. */
    static boolean isNoSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("no space left on device") || m.contains("not enough space on the disk")) {
                return true;
            }
        }
        return false;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static DownloadListener safe(DownloadListener l) {
        if (l == null) {
            return DownloadListener.NONE;
        }
        return new DownloadListener() {
            @Override
            public void note(String message) {
                try {
                    l.note(message);
                } catch (RuntimeException e) {
                    // A listener must not break a download.
                }
            }

            @Override
            public void progress(long done, long total) {
                try {
                    l.progress(done, total);
                } catch (RuntimeException e) {
                    // A listener must not break a download.
                }
            }
        };
    }
}
