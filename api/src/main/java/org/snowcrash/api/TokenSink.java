package org.snowcrash.api;

/**
 * Receives a streaming answer as it is generated, on the thread that runs the request. A text
 * piece may hold several tokens or part of one word; concatenated, the pieces equal the response
 * text. Tool calls and reasoning arrive through their own methods, never as text. An exception
 * thrown here cancels the request and is rethrown to the caller.
 */
@FunctionalInterface
public interface TokenSink {

    /** One piece of generated answer text, never empty. */
    void accept(String piece);

    /**
     * A piece of a tool call: its id and name first, then fragments of its arguments (see
     * {@link ToolCallDelta}). The completed response carries the assembled calls. Default: ignored.
     */
    default void toolCall(ToolCallDelta delta) {
    }

    /** A piece of a reasoning model's thinking, never part of the answer text. Default: ignored. */
    default void reasoning(String piece) {
    }
}
