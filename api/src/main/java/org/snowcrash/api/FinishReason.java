package org.snowcrash.api;

/** Why generation ended. */
public enum FinishReason {
    /** The model ended its answer (end-of-sequence token or a stop string). */
    STOP,
    /** The token limit of the request was reached. */
    LENGTH,
    /** The model called tools: the response's {@link ChatResponse#toolCalls()} are the answer. */
    TOOL_CALLS,
    /** The caller cancelled the request. A cancelled request is not a failure. */
    CANCELLED
}
