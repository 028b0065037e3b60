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
     * A model pool refused the request at once: the model already runs its most requests at
     * once and its queue is full (or the request waited its bound in the queue). Nothing was sent
     * to the model; retrying later may succeed (a server answers 429 with {@code Retry-After}).
     *
     * @param modelId     the model asked for
     * @param maxInFlight the most requests the model runs at once
     * @param queueLimit  the most requests that may wait for it
     * @param retryAfter  a guess of when a retry may be admitted (at least one second)
     */
    record Busy(String modelId, int maxInFlight, int queueLimit, java.time.Duration retryAfter) implements ChatFailure {
        public Busy {
            java.util.Objects.requireNonNull(modelId, "modelId");
            java.util.Objects.requireNonNull(retryAfter, "retryAfter");
        }

        @Override
        public String describe() {
            return "model '" + modelId + "' is busy (it runs at most " + maxInFlight + " requests at once and queues at most "
                    + queueLimit + "); retry after " + Math.max(1, retryAfter.toSeconds()) + " s";
        }
    }

    /**
     * A model pool could not start the model within its memory budget: the loaded models that
     * would have to go had requests in flight for as long as the pool waits, or the model alone
     * needs more than the budget. Nothing was sent to the model (a server answers 503).
     *
     * @param budgetBytes   the budget ({@code snowcrash.memory.budget})
     * @param estimateBytes the estimated memory of the model asked for
     * @param loaded        the models holding memory when the pool gave up, least recently used first
     */
    record OverBudget(long budgetBytes, long estimateBytes, java.util.List<String> loaded) implements ChatFailure {
        public OverBudget {
            loaded = java.util.List.copyOf(loaded);
        }

        @Override
        public String describe() {
            if (estimateBytes > budgetBytes) {
                return "the model needs an estimated " + mib(estimateBytes) + ", more than the whole memory budget of "
                        + mib(budgetBytes) + " (snowcrash.memory.budget)";
            }
            return "the model needs an estimated " + mib(estimateBytes) + " and the memory budget of " + mib(budgetBytes)
                    + " (snowcrash.memory.budget) has no room for it beside the loaded models ("
                    + (loaded.isEmpty() ? "none" : String.join(", ", loaded))
                    + "), too few of which were idle to make room";
        }

        private static String mib(long bytes) {
            return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
    }

    /**
     * The backend cannot honour what the request needs (tools, a JSON schema, ...): nothing was
     * generated. Sessions check {@link ChatRequest#requiredCapabilities()} against their backend's
     * {@link LlmBackend#capabilities()} before sending anything.
     *
     * @param backendId the backend that was asked
     * @param missing   what it lacks, e.g. {@code [TOOLS]}
     */
    record Unsupported(String backendId, java.util.Set<Capability> missing) implements ChatFailure {
        public Unsupported {
            java.util.Objects.requireNonNull(backendId, "backendId");
            missing = java.util.Set.copyOf(missing);
        }

        @Override
        public String describe() {
            return "backend '" + backendId + "' cannot honour " + missing.stream().map(Enum::name).sorted().toList()
                    + " that the request needs";
        }
    }

    /**
     * The model's answer broke what the request asked for: a call to a tool that was not offered,
     * arguments that are not valid against the tool's schema, text where a call was required, or an
     * answer that is not valid against the response format's schema. The answer is never handed
     * over as if it were valid; an {@code Agent} asks the model again a bounded number of times.
     *
     * @param what     what was wrong, for people: {@code move: $.meters: string found, number expected}
     * @param answer   the offending answer (arguments or text) as the model gave it
     */
    record InvalidAnswer(String what, String answer) implements ChatFailure {
        public InvalidAnswer {
            java.util.Objects.requireNonNull(what, "what");
            java.util.Objects.requireNonNull(answer, "answer");
        }

        @Override
        public String describe() {
            return "the model's answer is not valid: " + what;
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
