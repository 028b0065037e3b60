package org.snowcrash.backend.remote;

import java.util.concurrent.atomic.AtomicBoolean;

import org.snowcrash.api.TokenSink;
import org.snowcrash.api.ToolCallDelta;

/**
 * Hands a stream on to the caller's sink and marks that something reached the caller: text, a
 * piece of a call, or reasoning. From then on the request ran on that endpoint and must never be
 * sent to another one. Used on the thread that reads the stream.
 */
final class MarkingSink implements TokenSink {

    private final TokenSink sink;
    private final AtomicBoolean delivered;

    MarkingSink(TokenSink sink, AtomicBoolean delivered) {
        this.sink = sink;
        this.delivered = delivered;
    }

    @Override
    public void accept(String piece) {
        delivered.set(true);
        sink.accept(piece);
    }

    @Override
    public void toolCall(ToolCallDelta delta) {
        delivered.set(true);
        sink.toolCall(delta);
    }

    @Override
    public void reasoning(String piece) {
        delivered.set(true);
        sink.reasoning(piece);
    }
}
