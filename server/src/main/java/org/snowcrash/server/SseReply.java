package org.snowcrash.server;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import io.javalin.http.Context;
import io.javalin.http.sse.Emitter;

/**
 * The server-sent events answer to one streaming request, framed by Javalin's {@link Emitter}.
 * The response is committed (status 200 and headers sent) only by the first event, so that a
 * request refused before its first token (unknown model, busy, context overflow) still gets its
 * own status code and a JSON error body.
 *
 * <p>Thread-safe: tokens arrive on the request's thread, lifecycle events may arrive on another
 * (a start run by another request). Writing never throws: a client that went away shows as
 * {@link #gone()}, and later writes are dropped.
 */
final class SseReply {

    private final Context ctx;
    private Emitter emitter;
    private boolean gone;

    SseReply(Context ctx) {
        this.ctx = ctx;
    }

    /** An unnamed event: what OpenAI clients read ({@code data: {...}}). */
    synchronized void data(String data) {
        emit(null, data);
    }

    /** A named event of the extension ({@code event: snowcrash.sentence}); OpenAI clients never ask for them. */
    synchronized void event(String name, String data) {
        emit(name, data);
    }

    /** Whether the status and headers were sent. */
    synchronized boolean committed() {
        return emitter != null;
    }

    /** Whether a write failed because the client closed its connection. */
    synchronized boolean gone() {
        return gone;
    }

    private void emit(String name, String data) {
        if (gone) {
            return;
        }
        if (emitter == null) {
            ctx.status(200);
            ctx.res().setCharacterEncoding("UTF-8");
            ctx.res().setContentType("text/event-stream");
            ctx.res().setHeader("Cache-Control", "no-cache");
            ctx.res().setHeader("X-Accel-Buffering", "no"); // no proxy may hold tokens back
            emitter = new Emitter(ctx.res());
        }
        emitter.emit(name, new ByteArrayInputStream(data.getBytes(StandardCharsets.UTF_8)), null);
        gone = emitter.getClosed();
    }
}
