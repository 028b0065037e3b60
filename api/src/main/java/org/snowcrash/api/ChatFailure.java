package org.snowcrash.api;

/**
 * How a request to a running model failed: the typed cause carried by {@link ChatException}.
 *
 * <p>The cases here are the ones every backend and every front end share (the context overflowed,
 * the backend went away, the request timed out, ...); a front end may switch over them
 * exhaustively. What only one component can go wrong with (a model pool that is full, a backend's
 * own kind of trouble) is not listed here: that component defines it in its own terms as a
 * {@link Specific} failure, the one open case, and front ends that do not know the type still show
 * its {@link #describe()} text and map its {@link Specific#code()}. The model pool's failures are
 * such a case ({@code org.snowcrash.agent.pool.PoolFailure}: {@code Busy}, {@code OverBudget}).
 */
public sealed interface ChatFailure {

    /** One line for people. */
    String describe();

    /**
     * A failure defined outside this package by the component that raised it: a backend's own
     * kind of trouble, or one of the runtime around backends (the model pool's
     * {@code PoolFailure.Busy}). This is the one extension point of this otherwise closed type.
     *
     * <p>To define one, declare a record (or, for several kinds, a sealed interface of records)
     * implementing this interface in your own module, and throw it in a {@link ChatException}:
     * <pre>{@code
     * public record QuotaSpent(String account) implements ChatFailure.Specific {
     *     public String code() { return "quota_spent"; }
     *     public String describe() { return "account " + account + " has spent its quota for today"; }
     * }
     * throw new ChatException(id(), where, new QuotaSpent(account));
     * }</pre>
     * Code that knows the type matches it ({@code failure instanceof QuotaSpent q}); every other
     * front end shows {@link #describe()} and may map {@link #code()} (the OpenAI-compatible
     * server reports it as the error's {@code code}, with status 500).
     */
    non-sealed interface Specific extends ChatFailure {

        /**
         * A short, stable name of this kind of failure for programs, in lower snake case
         * ({@code model_busy}): front ends show and map it without knowing the type. It must not
         * change between releases; {@link ChatException} refuses one that is not lower snake case.
         */
        String code();
    }

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
