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

    /**
     * The model is busy: {@code maxInFlight} requests are running on it and its queue of
     * {@code queueLimit} waiting requests is full. Nothing was sent to the backend; the same
     * request may be sent again after {@code retryAfter} (a server answers 429 with
     * {@code Retry-After}).
     */
    record Busy(String modelId, int maxInFlight, int queueLimit, java.time.Duration retryAfter) implements ChatFailure {
        @Override
        public String describe() {
            return "model " + modelId + " is busy: " + maxInFlight + " requests in flight and " + queueLimit
                    + " waiting; retry after " + Math.max(1, (retryAfter.toMillis() + 999) / 1000) + " s";
        }
    }

    /**
     * Starting the model would exceed the memory budget even after every idle model was unloaded:
     * {@code estimateBytes} more are needed, {@code budgetBytes} is the whole budget, and the models
     * in {@code loaded} are busy. Nothing was sent to the backend (a server answers 503).
     */
    record OverBudget(long budgetBytes, long estimateBytes, java.util.List<String> loaded) implements ChatFailure {
        public OverBudget {
            loaded = java.util.List.copyOf(loaded);
        }

        @Override
        public String describe() {
            return "the model needs about " + estimateBytes + " bytes but the memory budget is " + budgetBytes
                    + " bytes" + (loaded.isEmpty() ? "" : " and these models are busy: " + String.join(", ", loaded));
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
