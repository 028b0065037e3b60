package org.snowcrash.hub;

import org.snowcrash.models.hub.HubSource;
import java.nio.file.Path;
import java.util.Objects;

import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

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
        PullJob job = new PullJob(settings, hub, http, noRedirects, urlOf(source), target.toAbsolutePath().normalize(),
                cancel, safe(listener));
        cancel.onCancel(job::cancelCall);
        return job.run();
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
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
