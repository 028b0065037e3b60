package org.snowcrash.hub;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.snowcrash.api.Cancellation;

/**
 * The HTTP side of one pull: the HEAD that learns what the hub says of a file (following the
 * hub's own redirects, stopping at the one to its storage host), the GET of its content from a
 * byte on, the token sent only to the hub's own host, and cancelling the call in flight.
 */
final class HubCalls {

    /** How a pull turns what went wrong on the wire into its typed failures. */
    interface Failures {
        /** A network error at {@code where}. */
        DownloadException network(String where, IOException e);

        /** The pull was cancelled. */
        DownloadException interrupted();
    }

    private static final int MAX_SAME_HOST_REDIRECTS = 5;

    private final HubSettings settings;
    private final HttpUrl hub;
    private final OkHttpClient http;
    private final OkHttpClient noRedirects;
    private final Cancellation cancel;
    private final Failures failures;
    private final AtomicReference<Call> call = new AtomicReference<>();

    HubCalls(HubSettings settings, HttpUrl hub, OkHttpClient http, OkHttpClient noRedirects, Cancellation cancel,
             Failures failures) {
        this.settings = settings;
        this.hub = hub;
        this.http = http;
        this.noRedirects = noRedirects;
        this.cancel = cancel;
        this.failures = failures;
    }

    /** HEAD on the hub: sha256, size and commit, or the hub's refusal. */
    HubMetadata head(HttpUrl url) throws DownloadException {
        HttpUrl current = url;
        for (int hop = 0; hop <= MAX_SAME_HOST_REDIRECTS; hop++) {
            try (Response r = execute(noRedirects, request(current).head().build())) {
                if (r.isRedirect()) {
                    String location = r.header("Location");
                    HttpUrl next = location == null ? null : current.resolve(location);
                    // The hub itself redirects within its host (a renamed repository); the
                    // redirect to the storage host is where the LFS headers are, so stop there.
                    if (next != null && r.header("X-Linked-Etag") == null && HubFailures.sameOrigin(next, current)) {
                        current = next;
                        continue;
                    }
                    return HubMetadata.of(r);
                }
                if (r.isSuccessful()) {
                    return HubMetadata.of(r);
                }
                if (r.code() == 405 || r.code() == 501) {
                    // A mirror that does not answer HEAD: learn what we can from the GET's redirects.
                    return HubMetadata.UNKNOWN;
                }
                throw refused(r, current);
            }
        }
        throw new DownloadException(new DownloadFailure.Http(url.toString(), 310,
                "more than " + MAX_SAME_HOST_REDIRECTS + " redirects"));
    }

    /** GET of the content, from byte {@code from} on ({@code Range}) when it is not 0; redirects followed. */
    Response get(HttpUrl url, long from) throws DownloadException {
        Request.Builder rb = request(url).get();
        if (from > 0) {
            rb.header("Range", "bytes=" + from + "-");
        }
        return execute(http, rb.build());
    }

    /** The hub's refusal of a request, classified. */
    DownloadException refused(Response r, HttpUrl at) {
        return HubFailures.refused(r, at, hub);
    }

    /** Cancels the call in flight, if any (its reader then fails at once). */
    void cancel() {
        Call c = call.get();
        if (c != null) {
            c.cancel();
        }
    }

    private Response execute(OkHttpClient client, Request request) throws DownloadException {
        if (cancel.isCancelled()) {
            throw failures.interrupted();
        }
        Call c = client.newCall(request);
        call.set(c);
        // Checked again: a cancel between the first check and set() found no call to cancel.
        if (cancel.isCancelled()) {
            throw failures.interrupted();
        }
        try {
            return c.execute();
        } catch (IOException e) {
            throw failures.network(request.url().toString(), e);
        }
    }

    /** The request to a URL, with the token when the URL is on the hub's own host. */
    private Request.Builder request(HttpUrl u) {
        Request.Builder b = new Request.Builder().url(u)
                .header("User-Agent", "snowcrash")
                // Byte offsets must be those of the file itself (resume, Content-Length,
                // checksum): never let a server compress the body in transit.
                .header("Accept-Encoding", "identity");
        if (settings.token().isPresent() && HubFailures.sameOrigin(u, hub)) {
            b.header("Authorization", "Bearer " + settings.token().get());
        }
        return b;
    }
}
