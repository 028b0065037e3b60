package org.snowcrash.api;

/** How a request to a running model failed: the typed cause carried by {@link ChatException}. */
public sealed interface ChatFailure {

    /** One line for people. */
    String describe();

    /** The prompt does not fit the model's context window. */
    record ContextOverflow(int promptTokens, int contextSize) implements ChatFailure {
        @Override
        public String describe() {
            return "the prompt takes " + promptTokens + " tokens but the context holds " + contextSize;
        }
    }

    /** The backend went away (container died, connection refused or cut mid-stream). */
    record BackendGone(String detail) implements ChatFailure {
        @Override
        public String describe() {
            return "the backend stopped answering: " + detail;
        }
    }

    /** Nothing arrived for longer than the allowed silence. */
    record Timeout(java.time.Duration silence) implements ChatFailure {
        @Override
        public String describe() {
            return "no output for " + silence.toMillis() + " ms";
        }
    }

    /** The server reported an error (HTTP status or an error object in the stream). */
    record ServerError(int status, String type, String message) implements ChatFailure {
        @Override
        public String describe() {
            return "server error " + status + (type.isEmpty() ? "" : " " + type) + ": " + message;
        }
    }

    /** The session was closed. */
    record Closed() implements ChatFailure {
        @Override
        public String describe() {
            return "the session is closed";
        }
    }

    /** The caller's token sink threw; generation was stopped. */
    record SinkFailed(String detail) implements ChatFailure {
        @Override
        public String describe() {
            return "the token receiver failed: " + detail;
        }
    }

    /** Anything else. */
    record Other(String detail) implements ChatFailure {
        @Override
        public String describe() {
            return detail;
        }
    }
}
