package org.snowcrash.openai;

import java.io.IOException;

import okio.BufferedSource;

/**
 * The {@code data} of each server-sent event of a response body, read on the calling thread as
 * the server sends them (the WHATWG framing: {@code data:} lines joined by newlines, an event
 * dispatched at a blank line; comments, {@code event:}, {@code id:} and {@code retry:} lines, and
 * a last event without its blank line, are dropped). Not thread-safe: one reader per body.
 */
final class SseLines {

    private final BufferedSource body;
    private final Runnable heard;
    private final StringBuilder data = new StringBuilder();

    /** @param heard told of every line read, comments and keep-alives included (the idle bound's clock) */
    SseLines(BufferedSource body, Runnable heard) {
        this.body = body;
        this.heard = heard;
    }

    /**
     * The next event's data, blocking until it is complete (bounded by the caller's idle bound);
     * null at the end of the body.
     *
     * @throws IOException when reading fails (timeout, connection closed or reset, call cancelled)
     */
    String next() throws IOException {
        boolean any = false;
        while (true) {
            String line = body.readUtf8Line();
            if (line == null) {
                return null;
            }
            heard.run();
            if (line.isEmpty()) {
                if (any) {
                    String event = data.toString();
                    data.setLength(0);
                    return event;
                }
                continue;
            }
            if (line.startsWith("data")) {
                int colon = line.length() > 4 && line.charAt(4) == ':' ? 5 : -1;
                if (colon < 0 && line.length() != 4) {
                    continue; // a field named data-something
                }
                String value = colon < 0 ? "" : line.substring(line.length() > colon && line.charAt(colon) == ' ' ? colon + 1 : colon);
                if (any) {
                    data.append('\n');
                }
                data.append(value);
                any = true;
            }
        }
    }
}
