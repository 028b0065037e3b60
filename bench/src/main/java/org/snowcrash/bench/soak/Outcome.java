package org.snowcrash.bench.soak;

/**
 * How one request ended, as its client saw it. Exactly one per request is expected; the
 * {@link Ledger} counts a second one as a duplicate.
 */
sealed interface Outcome {

    /**
     * The whole answer arrived: a finish reason ({@code stop} or {@code length}), and for a stream
     * its end ({@code [DONE]}) with one completion id throughout.
     */
    record Answered(String text, String finishReason) implements Outcome {
    }

    /**
     * A failure the caller can act on: an HTTP status with OpenAI's error {@code code}, or a
     * {@code ChatException}'s failure kind (or another Snowcrash exception's class).
     */
    record Typed(String kind) implements Outcome {
    }

    /**
     * Anything else: a connection that broke with no error, a stream that ended without
     * {@code [DONE]} or an error event, a body that is not OpenAI's shape, an unexpected exception.
     * Every one is a defect the run reports.
     */
    record Untyped(String what) implements Outcome {
    }
}
