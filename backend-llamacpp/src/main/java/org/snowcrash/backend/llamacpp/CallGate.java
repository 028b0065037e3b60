package org.snowcrash.backend.llamacpp;

import org.snowcrash.api.TokenSink;
import org.snowcrash.tools.Reading;

/**
 * The first pass of {@code tool_choice} auto: generation runs free (no grammar, full speed) and
 * this sink watches for the answer's first non-blank character. Anything else than <code>{</code>
 * makes the answer text, handed on as it comes; <code>{</code> means the model has begun a call,
 * and the session stops this pass and generates the answer again under the call grammar (see
 * docs/backend-inprocess-tools.md). Leading blanks are held back until the choice is known.
 * One per request; not thread-safe.
 */
final class CallGate implements TokenSink {

    private final TokenSink downstream;
    private final StringBuilder held = new StringBuilder();
    private Boolean call; // null while undecided

    CallGate(TokenSink downstream) {
        this.downstream = downstream;
    }

    @Override
    public void accept(String piece) {
        if (call != null) {
            if (!call) {
                downstream.accept(piece);
            }
            return;
        }
        held.append(piece);
        if (held.toString().isBlank()) {
            return;
        }
        call = Reading.startsCall(held);
        if (!call) {
            downstream.accept(held.toString());
        }
    }

    /** Whether the answer has begun a call (the pass should stop). */
    boolean call() {
        return Boolean.TRUE.equals(call);
    }

    /** Hands on blanks still held when a text answer ended with nothing else. */
    void finish() {
        if (call == null && !held.isEmpty()) {
            downstream.accept(held.toString());
        }
    }
}
