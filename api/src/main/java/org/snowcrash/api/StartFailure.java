package org.snowcrash.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Why a backend could not start a model: the typed cause carried by {@link BackendStartException}.
 * Every case renders itself as one line a person can act on ({@link #describe()}).
 *
 * <p>The cases here are the ones any backend may meet (the model file is broken, the runtime is
 * missing, the server exited or never became ready, ...); code may switch over them exhaustively.
 * What only one backend can meet is that backend's to say, in its own terms, as a
 * {@link BackendSpecific} failure: the one open case, which a third-party backend implements
 * without any change here. Snowcrash's own backends do so too: the Docker backend's
 * {@code DockerStartFailure} (image unavailable, port in use, container name conflict) and the
 * remote backend's {@code EndpointsRefused}.
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

    /**
     * A failure a backend defines in its own terms: the one extension point of this otherwise
     * closed type. Snowcrash's fallback chain, CLI and server handle it without knowing its type:
     * they show {@link #describe()}, stop trying further backends when {@link #isUserError()} is
     * true, and may show {@link #code()}.
     *
     * <p>A backend declares a record (or, for several kinds, a sealed interface of records) in its
     * own module implementing this interface, and throws it from {@link LlmBackend#start}:
     * <pre>{@code
     * public record QueueFull(String cluster, int position) implements StartFailure.BackendSpecific {
     *     public String code() { return "cluster_queue_full"; }
     *     public String describe() { return "cluster " + cluster + " queued the model at place " + position; }
     * }
     * throw new BackendStartException(ID, spec.id(), new QueueFull(cluster, position));
     * }</pre>
     * Callers that know the backend match the type ({@code failure instanceof QueueFull q}) and
     * read its fields. Prefer a core case when one fits (a missing native library is
     * {@link RuntimeUnavailable}); {@link Other} remains for a one-off message with no kind.
     */
    non-sealed interface BackendSpecific extends StartFailure {

        /**
         * A short, stable name of this kind of failure for programs, in lower snake case
         * ({@code port_in_use}): front ends show and map it without knowing the type. It must not
         * change between releases; {@link BackendStartException} refuses one that is not lower
         * snake case.
         */
        String code();
    }

    /** Anything else, with the backend's own words. */
    record Other(String detail) implements StartFailure {
        @Override
        public String describe() {
            return detail;
        }
    }
}
