package org.snowcrash.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The server-sent events answer to one streaming request. The response is committed (status 200
 * and headers sent) only by the first event, so that a request refused before its first token
 * (unknown model, busy, context overflow) still gets its own status code and a JSON error body.
 *
 * <p>Each event is framed here into one byte array and goes out with one write to Jetty, which
 * sends it at once: one packet per token. Events that never come alone (the role chunk before
 * the first piece, the finish reason and usage before {@code [DONE]}) wait and go out in the next
 * one's write. Javalin's {@code Emitter} did the same framing with five writes and about 24 KiB of
 * buffers (a buffered stream, a reader and a line splitter) allocated per event, on the thread
 * that competes with the model server for the same cores.
 *
 * <p>Thread-safe: tokens arrive on the request's thread, lifecycle events may arrive on another
 * (a start run by another request). Writing never throws: a client that went away shows as
 * {@link #gone()}, and later writes are dropped.
 */
final class SseReply {

    private final JettyExchange exchange;
    /** Events framed and not sent yet: those that go out with the next one. */
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream(512);
    private OutputStream out;
    private boolean gone;
    private int flushes;

    SseReply(JettyExchange exchange) {
        this.exchange = exchange;
    }

    /** An unnamed event: what OpenAI clients read ({@code data: {...}}), sent at once. */
    synchronized void data(String data) {
        emit(null, data, true);
    }

    /**
     * An unnamed event that goes out with the next event sent at once (one write to the socket
     * for both): for events that never come alone, such as the role chunk before the first piece.
     */
    synchronized void dataWithNext(String data) {
        emit(null, data, false);
    }

    /** A named event of the extension ({@code event: snowcrash.sentence}); OpenAI clients never ask for them. */
    synchronized void event(String name, String data) {
        emit(name, data, true);
    }

    /** How many times events were pushed to the client (the tests count them: one per piece, plus one). */
    synchronized int flushes() {
        return flushes;
    }

    /** Whether the status and headers were sent. */
    synchronized boolean committed() {
        return out != null;
    }

    /** Whether a write failed because the client closed its connection. */
    synchronized boolean gone() {
        return gone;
    }

    private void emit(String name, String data, boolean flush) {
        if (gone) {
            return;
        }
        pending.writeBytes(frame(name, data));
        if (!flush) {
            return;
        }
        try {
            if (out == null) {
                out = exchange.events();
            }
            // Jetty sends each write at once (chunked): one write, one packet, for what is pending.
            pending.writeTo(out); // one write of the buffer itself, no copy
            flushes++;
        } catch (IOException e) {
            gone = true; // the client closed its connection
        } finally {
            pending.reset();
        }
    }
    /** {@code event: name} (when named), a {@code data: } line per line of {@code data}, a blank line. */
    static byte[] frame(String name, String data) {
        StringBuilder b = new StringBuilder(data.length() + 16 + (name == null ? 0 : name.length() + 8));
        if (name != null) {
            b.append("event: ").append(name.replace("\r", "").replace("\n", "")).append('\n');
        }
        int from = 0;
        while (true) {
            int nl = data.indexOf('\n', from);
            int end = nl < 0 ? data.length() : nl;
            b.append("data: ").append(data, from, end > from && data.charAt(end - 1) == '\r' ? end - 1 : end).append('\n');
            if (nl < 0) {
                break;
            }
            from = nl + 1;
        }
        return b.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }
}
