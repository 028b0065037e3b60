package org.snowcrash.openai;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import okhttp3.Response;
import okhttp3.ResponseBody;

import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;

/**
 * Maps what went wrong on the wire to a typed {@link ChatException} that names the backend, model
 * and address: an error status, an error object inside a 200 stream, an I/O failure before or
 * after the connection was made, a body that is not JSON. One place, so the blocking, streamed and
 * llama-server-only requests tell the same fault the same way. Immutable, so thread-safe.
 */
final class Failures {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String backendId;
    private final String where;
    private final String apiBase;

    Failures(String backendId, String where, String apiBase) {
        this.backendId = backendId;
        this.where = where;
        this.apiBase = apiBase;
    }

    /** A typed error naming the backend, model and address. */
    ChatException error(ChatFailure f, Throwable cause) {
        return new ChatException(backendId, where, f, cause);
    }

    /** An answer with an error status, typed from its {@code error} object (or its text). */
    ChatException status(int status, String body) {
        return error(serverError(status, errorObject(body)), null);
    }

    /** An {@code error} object sent inside a 200 stream: typed like an error status. */
    ChatException inStream(JsonNode error) {
        return error(serverError(200, error), null);
    }

    /**
     * An I/O failure of a request: {@link ChatFailure.BackendGone} when no connection was made or
     * it broke, {@link ChatFailure.Timeout} when the server was silent for {@code timeout}.
     */
    ChatException transport(IOException e, Duration timeout, Exchange exchange) {
        if (!exchange.reachedServer()) {
            // Connecting failed (refused, unreachable, connect timeout, TLS handshake): the silence
            // bounds do not apply, and saying "no output for 120000 ms" would mislead.
            return error(new ChatFailure.BackendGone("cannot connect to " + apiBase + ": " + describe(e)), e);
        }
        if (e instanceof SocketTimeoutException || (e instanceof InterruptedIOException && String.valueOf(e.getMessage()).contains("timeout"))) {
            return error(new ChatFailure.Timeout(timeout), e);
        }
        return error(new ChatFailure.BackendGone(e.toString()), e);
    }

    /** The body as JSON (blank: an empty object); not JSON is {@link ChatFailure.Other} quoting it. */
    JsonNode parse(String s) {
        try {
            return s == null || s.isBlank() ? MAPPER.createObjectNode() : MAPPER.readTree(s);
        } catch (IOException e) {
            throw error(new ChatFailure.Other("the server sent something that is not JSON: "
                    + (s.length() > 200 ? s.substring(0, 200) + "..." : s)), e);
        }
    }

    /** An I/O failure in words, with TLS handshake failures said as such. */
    static String describe(IOException e) {
        String m = e.getMessage();
        if (e instanceof javax.net.ssl.SSLException) {
            return "TLS handshake failed: " + (m == null ? e.getClass().getSimpleName() : m);
        }
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + m;
    }

    /** The body of an error answer, or "" when there is none or it cannot be read. */
    static String bodyOf(Response r) {
        if (r == null) {
            return "";
        }
        try (ResponseBody b = r.body()) {
            return b == null ? "" : b.string();
        } catch (IOException | IllegalStateException e) {
            return "";
        }
    }

    /**
     * The {@code error} object of an error answer; a body that is not JSON (a gateway's HTML 502
     * page) becomes the message itself, so the status still comes through typed.
     */
    private static JsonNode errorObject(String body) {
        try {
            JsonNode root = body == null || body.isBlank() ? null : MAPPER.readTree(body);
            if (root != null && root.has("error")) {
                return root.get("error");
            }
        } catch (IOException e) {
            // not JSON: fall through
        }
        String text = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        return MAPPER.getNodeFactory().textNode(text.length() > 200 ? text.substring(0, 200) + "..." : text);
    }

    private static ChatFailure serverError(int status, JsonNode error) {
        String type = error.path("type").asText("");
        String message = error.path("message").asText(error.isTextual() ? error.asText() : "");
        if (type.equals("exceed_context_size_error") || error.has("n_ctx")) {
            return new ChatFailure.ContextOverflow(error.path("n_prompt_tokens").asInt(), error.path("n_ctx").asInt());
        }
        int code = error.path("code").asInt(status);
        return new ChatFailure.ServerError(code, type, message.isEmpty() ? "(no message)" : message);
    }
}
