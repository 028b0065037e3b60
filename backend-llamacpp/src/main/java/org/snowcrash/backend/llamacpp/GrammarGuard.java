package org.snowcrash.backend.llamacpp;

import org.snowcrash.api.TokenSink;

/**
 * Hands on the pieces of an answer generated under a grammar, unless the first piece shows the
 * grammar was not applied: every grammar the backend builds starts with <code>{</code>, and llama.cpp
 * answers a grammar it cannot parse with unconstrained text instead of an error. One per pass; not
 * thread-safe.
 */
final class GrammarGuard implements TokenSink {

    private final TokenSink downstream;
    private boolean first = true;
    private boolean refused;

    GrammarGuard(TokenSink downstream) {
        this.downstream = downstream;
    }

    @Override
    public void accept(String piece) {
        if (refused) {
            return;
        }
        if (first) {
            first = false;
            if (!piece.startsWith("{")) {
                refused = true;
                return;
            }
        }
        downstream.accept(piece);
    }

    @Override
    public void toolCall(org.snowcrash.api.ToolCallDelta delta) {
        downstream.toolCall(delta);
    }

    /** Whether the answer showed that the grammar was not applied. */
    boolean refused() {
        return refused;
    }
}
