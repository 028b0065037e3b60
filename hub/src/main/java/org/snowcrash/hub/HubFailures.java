package org.snowcrash.hub;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import okhttp3.HttpUrl;
import okhttp3.Response;

/**
 * How a pull's failures are told apart: the hub's refusals, the network's faults and the local
 * disk's, each a typed {@link DownloadFailure}.
 */
final class HubFailures {

    private HubFailures() {
    }

    /** A response that is not the file: the token refused (on the hub's own host), not found, or another status. */
    static DownloadException refused(Response r, HttpUrl at, HttpUrl hub) {
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

    /** A network fault: silence past the read timeout is a stall; anything else a failed connection. */
    static DownloadException network(String where, IOException e, HubSettings settings, Path part, long have) {
        String message = String.valueOf(e.getMessage());
        if (e instanceof SocketTimeoutException && !message.toLowerCase(Locale.ROOT).contains("connect")) {
            return new DownloadException(new DownloadFailure.Stalled(where, settings.readTimeout(), part, have), e);
        }
        String detail = e instanceof SocketTimeoutException
                ? "no connection within " + settings.connectTimeout().toMillis() + " ms (snowcrash.hub.connect-timeout)"
                : e.getClass().getSimpleName() + ": " + message;
        return new DownloadException(new DownloadFailure.ConnectionFailed(where, detail, part, have), e);
    }

    /** A local fault: a full disk (with what is free and what is needed), or another I/O error on {@code file}. */
    static DownloadException local(Path file, IOException e, long needed, long free, Path part, long have) {
        if (isNoSpace(e)) {
            Path folder = Files.isDirectory(file) ? file : file.getParent();
            return new DownloadException(new DownloadFailure.DiskFull(folder, Math.max(free, 0), Math.max(needed, 0), part, have), e);
        }
        return new DownloadException(new DownloadFailure.LocalIo(file, e.getClass().getSimpleName() + ": " + e.getMessage()), e);
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

    static boolean sameOrigin(HttpUrl a, HttpUrl b) {
        return a.scheme().equals(b.scheme()) && a.host().equalsIgnoreCase(b.host()) && a.port() == b.port();
    }
}
