package org.snowcrash.hub;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Why a download failed, one case per thing a user does differently. {@link #describe()} is the
 * message for people; {@link #partKept()} says whether a {@code .part} file was kept so that the
 * same command resumes.
 */
public sealed interface DownloadFailure {

    /** One sentence (or two) for people, naming what was asked and what to do. */
    String describe();

    /** Whether the partial download was kept for a resume. */
    default boolean partKept() {
        return false;
    }

    /** The hub answered 401 or 403: a gated or private repository, or a refused token. */
    record Unauthorized(String url, int status, boolean tokenSent) implements DownloadFailure {
        @Override
        public String describe() {
            String why = tokenSent
                    ? "the token in " + HubSettings.TOKEN_ENV + " was refused or has no access to this repository"
                    + " (for a gated repository, accept its terms on the hub with that account first)"
                    : "the repository is gated or private: set " + HubSettings.TOKEN_ENV
                    + " to an access token of an account that may read it";
            return "the hub answered " + status + " for " + url + ": " + why;
        }
    }

    /** Nothing at that address (404). */
    record NotFound(String url) implements DownloadFailure {
        @Override
        public String describe() {
            return "nothing at " + url + " (404): check the owner, repository, file name and revision of the source";
        }
    }

    /** Any other status the hub or the storage host answered. */
    record Http(String url, int status, String message) implements DownloadFailure {
        @Override
        public String describe() {
            return "HTTP " + status + (message.isBlank() ? "" : " " + message) + " from " + url;
        }
    }

    /** The content's sha256 is not the one the hub announced; the partial file was deleted. */
    record ChecksumMismatch(String url, String expected, String actual) implements DownloadFailure {
        @Override
        public String describe() {
            return "the download from " + url + " has sha256 " + actual + " but the hub announced " + expected
                    + "; the partial file was deleted (run the command again to download it afresh)";
        }
    }

    /** The content's length is not the one the hub announced; the partial file was deleted. */
    record SizeMismatch(String url, long expected, long actual) implements DownloadFailure {
        @Override
        public String describe() {
            return "the download from " + url + " is " + actual + " bytes but the hub announced " + expected
                    + "; the partial file was deleted";
        }
    }

    /** No byte arrived for the read timeout. */
    record Stalled(String url, Duration timeout, Path part, long bytesKept) implements DownloadFailure {
        @Override
        public String describe() {
            return "no data from " + url + " for " + timeout.toMillis() + " ms (snowcrash.hub.read-timeout)"
                    + kept(part, bytesKept);
        }

        @Override
        public boolean partKept() {
            return bytesKept > 0;
        }
    }

    /** The connection could not be opened, or broke before the file was complete. */
    record ConnectionFailed(String url, String detail, Path part, long bytesKept) implements DownloadFailure {
        @Override
        public String describe() {
            return "connection to " + url + " failed: " + detail + kept(part, bytesKept);
        }

        @Override
        public boolean partKept() {
            return bytesKept > 0;
        }
    }

    /** The disk is full (or would be): the folder and what is free. */
    record DiskFull(Path folder, long freeBytes, long neededBytes, Path part, long bytesKept) implements DownloadFailure {
        @Override
        public String describe() {
            return "no space left on the device of " + folder + ": " + freeBytes + " bytes free"
                    + (neededBytes > 0 ? ", " + neededBytes + " more needed" : "")
                    + "; free some space and run the command again" + (bytesKept > 0 ? kept(part, bytesKept) : "");
        }

        @Override
        public boolean partKept() {
            return bytesKept > 0;
        }
    }

    /** Reading or writing a local file failed for another reason (permissions, another pull at work). */
    record LocalIo(Path file, String detail) implements DownloadFailure {
        @Override
        public String describe() {
            return file + ": " + detail;
        }
    }

    /** The downloaded file is not a sound GGUF; it was deleted. */
    record NotGguf(String url, String detail) implements DownloadFailure {
        @Override
        public String describe() {
            return "the file from " + url + " is not a usable GGUF model (" + detail + "); it was deleted";
        }
    }

    /** Cancelled (Ctrl-C) or the thread was interrupted; the partial file is kept. */
    record Interrupted(Path part, long bytesKept) implements DownloadFailure {
        @Override
        public String describe() {
            return "interrupted" + kept(part, bytesKept);
        }

        @Override
        public boolean partKept() {
            return bytesKept > 0;
        }
    }

    private static String kept(Path part, long bytes) {
        return bytes > 0 ? "; " + bytes + " bytes are kept in " + part + " and running the same command again resumes"
                : "";
    }
}
