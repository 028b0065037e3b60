package org.snowcrash.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Why a backend could not start a model: the typed cause carried by {@link BackendStartException}.
 * Every case renders itself as one line a person can act on ({@link #describe()}).
 */
public sealed interface StartFailure {

    /** One line saying what went wrong. */
    String describe();

    /**
     * Whether the failure is the user's to fix and no other backend can do better (a model file
     * that is not a GGUF). The fallback chain stops at such a failure instead of trying on.
     */
    default boolean isUserError() {
        return false;
    }

    /** The model file is missing, unreadable or not a valid GGUF. */
    record ModelInvalid(Path file, String detail) implements StartFailure {
        @Override
        public String describe() {
            return "model file " + file + " is not usable: " + detail;
        }

        @Override
        public boolean isUserError() {
            return true;
        }
    }

    /** The backend's runtime is missing or broken (native library, Docker engine error). */
    record RuntimeUnavailable(String detail) implements StartFailure {
        @Override
        public String describe() {
            return detail;
        }
    }

    /** The container image is not present and could not be pulled. */
    record ImageUnavailable(String image, String detail) implements StartFailure {
        @Override
        public String describe() {
            return "image " + image + " is not available: " + detail;
        }
    }

    /** The port the model should listen on is taken. */
    record PortInUse(int port, String detail) implements StartFailure {
        @Override
        public String describe() {
            return "port " + port + " is already in use" + (detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    /** A container of that name exists and does not belong to this tool; it is left alone. */
    record NameConflict(String containerName, String detail) implements StartFailure {
        @Override
        public String describe() {
            return "a container named " + containerName + " exists and was left alone (" + detail
                    + "). Remove or rename it, or set model.<id>.container";
        }
    }

    /** The server process exited while the model was loading. */
    record Exited(int exitCode, boolean oomKilled, List<String> lastLogLines) implements StartFailure {
        public Exited {
            lastLogLines = List.copyOf(lastLogLines);
        }

        @Override
        public String describe() {
            StringBuilder b = new StringBuilder("server exited with code ").append(exitCode);
            if (oomKilled) {
                b.append(" (killed: out of memory)");
            }
            b.append(" while loading");
            if (!lastLogLines.isEmpty()) {
                b.append("; last log lines:");
                for (String line : lastLogLines) {
                    b.append("\n    | ").append(line);
                }
            }
            return b.toString();
        }
    }

    /** The model did not become ready in time. */
    record Timeout(Duration waited, String lastStatus) implements StartFailure {
        @Override
        public String describe() {
            return "not ready after " + waited.toMillis() + " ms (last status: " + lastStatus + ")";
        }
    }

    /** The server said it was healthy, but a first one-token request failed: a server that lies. */
    record NotAnswering(String detail) implements StartFailure {
        @Override
        public String describe() {
            return "the server reports ready but a test request failed: " + detail;
        }
    }

    /** The start was interrupted; whatever it had created was cleaned up. */
    record Interrupted() implements StartFailure {
        @Override
        public String describe() {
            return "interrupted while starting";
        }
    }

    /** Anything else, with the backend's own words. */
    record Other(String detail) implements StartFailure {
        @Override
        public String describe() {
            return detail;
        }
    }
}
