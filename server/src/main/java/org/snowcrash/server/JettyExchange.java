package org.snowcrash.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * One request to the chat endpoint on Jetty's own request and response, below the servlet layer:
 * its body (bounded), its headers, and one reply, either whole JSON or a stream the caller writes.
 * Not thread-safe: the request's thread uses it, and {@link SseReply} guards the stream.
 */
final class JettyExchange {

    /** The largest body taken, as Javalin's default for its other routes. */
    static final long MAX_BODY = 1_000_000;

    private final Request request;
    private final Response response;
    private OutputStream out;

    JettyExchange(Request request, Response response) {
        this.request = request;
        this.response = response;
    }

    /** A request header, or null. */
    String header(String name) {
        return request.getHeaders().get(name);
    }

    /**
     * The body as UTF-8, read whole.
     *
     * @throws OpenAiError.Refused 413 when it is larger than {@link #MAX_BODY}
     * @throws java.io.UncheckedIOException when the client went away while sending it
     */
    String body() {
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] bytes = in.readNBytes((int) MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new OpenAiError.Refused(new OpenAiError(413, OpenAiError.INVALID_REQUEST, "http_413", Optional.empty(),
                        "the request body is larger than " + MAX_BODY + " bytes", Optional.empty()));
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A response header, before the reply. */
    void header(String name, String value) {
        response.getHeaders().put(name, value);
    }

    /** The whole reply: {@code status} and a JSON body. */
    void reply(int status, String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        try {
            stream().write(bytes);
        } catch (IOException e) {
            // the client went away: nothing more to tell it
        }
    }

    /** An error in OpenAI's shape ({@code json}, the error's JSON), with its {@code Retry-After} when it has one. */
    void error(OpenAiError err, String json) {
        err.retryAfterSeconds().ifPresent(s -> header("Retry-After", s));
        reply(err.status(), json);
    }

    /** Whether the status and headers were sent. */
    boolean committed() {
        return response.isCommitted();
    }

    /**
     * The body as a stream of server-sent events: status 200 and the event-stream headers, sent
     * with the first write (so that nothing is committed before the first event).
     */
    OutputStream events() {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream;charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put("X-Accel-Buffering", "no"); // no proxy may hold tokens back
        return stream();
    }

    private OutputStream stream() {
        if (out == null) {
            out = Content.Sink.asOutputStream(response);
        }
        return out;
    }

    /**
     * Ends the response (the last chunk of a stream); a reply never written becomes an empty 200.
     *
     * @throws IOException when the client went away
     */
    void end() throws IOException {
        stream().close();
    }
}
