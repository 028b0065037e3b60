package org.snowcrash.api;

/**
 * Receives generated text as it arrives during a streaming request, on the thread that runs the
 * request. A piece may hold several tokens or part of one word; concatenated, the pieces equal
 * the response text. An exception thrown here cancels the request and is rethrown to the caller.
 */
@FunctionalInterface
public interface TokenSink {

    /** One piece of generated text, never empty. */
    void accept(String piece);
}
