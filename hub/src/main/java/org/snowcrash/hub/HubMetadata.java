package org.snowcrash.hub;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import okhttp3.Response;

/**
 * What the hub says about a file before its content: its sha256 (from {@code X-Linked-Etag}, or a
 * small file's {@code ETag} when it is one), its size ({@code X-Linked-Size}, else
 * {@code Content-Length}) and the commit it resolves to ({@code X-Repo-Commit}). Immutable.
 *
 * @param sha256 the content's sha256 in lower-case hex, when the hub says it
 * @param size   its size in bytes, or -1 when unknown
 * @param commit the repository commit, when the hub says it
 */
record HubMetadata(Optional<String> sha256, long size, Optional<String> commit) {

    static final HubMetadata UNKNOWN = new HubMetadata(Optional.empty(), -1, Optional.empty());

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** This, with what {@code other} knows and this does not. */
    HubMetadata or(HubMetadata other) {
        return new HubMetadata(sha256.or(other::sha256), size >= 0 ? size : other.size, commit.or(other::commit));
    }

    /** What one response (HEAD, or a hop of a GET's redirect chain) says about the file. */
    static HubMetadata of(Response r) {
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
        return new HubMetadata(sha, size, commit);
    }

    /** The hub's headers may be on a response before the final one (the redirect to storage). */
    static HubMetadata ofChain(Response r) {
        HubMetadata m = UNKNOWN;
        for (Response x = r.priorResponse(); x != null; x = x.priorResponse()) {
            m = m.or(of(x));
        }
        Optional<String> sha = sha256Of(r.header("X-Linked-Etag"));
        return m.or(new HubMetadata(sha, parseLong(r.header("X-Linked-Size")), Optional.empty()));
    }

    /** The sha256 a quoted (possibly weak) ETag carries, when it is 64 hex digits; never a git sha1 or a server's own tag. */
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
}
