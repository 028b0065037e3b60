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

    /**
     * Servers the backend reaches but does not run (remote endpoints) could not serve the model:
     * one refusal per endpoint, each naming the endpoint and what it answered. Not the user's
     * error in the {@link #isUserError()} sense: the next backend may well serve the model.
     *
     * @param refusals one per configured endpoint, in configuration order; never empty
     */
    record EndpointsRefused(List<Refusal> refusals) implements StartFailure {

        /** Why one endpoint could not serve the model. */
        public enum Reason {
            /** Nothing answered: connection refused, reset, unreachable or timed out. */
            UNREACHABLE,
            /** It failed recently and is left alone until its cool-down ends. */
            COOLING_DOWN,
            /** The TLS handshake failed (an unknown certificate authority, a wrong host name). */
            TLS,
            /** It refused the API key (401 or 403). */
            UNAUTHORIZED,
            /** It answers, but does not serve this model. */
            MODEL_NOT_SERVED,
            /** It answered something else: an error status, or not the OpenAI API. */
            BAD_ANSWER
        }

        /**
         * One endpoint and its answer.
         *
         * @param endpoint the endpoint's base URL
         * @param reason   the kind of refusal
         * @param answer   what it answered, for people ({@code "401 Invalid API Key"})
         */
        public record Refusal(String endpoint, Reason reason, String answer) {
            public Refusal {
                java.util.Objects.requireNonNull(endpoint, "endpoint");
                java.util.Objects.requireNonNull(reason, "reason");
                java.util.Objects.requireNonNull(answer, "answer");
            }
        }

        public EndpointsRefused {
            refusals = List.copyOf(refusals);
            if (refusals.isEmpty()) {
                throw new IllegalArgumentException("at least one endpoint must have refused");
            }
        }

        @Override
        public String describe() {
            StringBuilder b = new StringBuilder(refusals.size() == 1 ? "the endpoint cannot serve the model: "
                    : "no endpoint can serve the model: ");
            for (int i = 0; i < refusals.size(); i++) {
                Refusal r = refusals.get(i);
                b.append(i == 0 ? "" : "; ").append(r.endpoint()).append(": ").append(r.answer());
            }
            return b.toString();
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
