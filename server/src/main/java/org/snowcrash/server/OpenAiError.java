package org.snowcrash.server;

import java.time.Duration;
import java.util.Optional;

import org.snowcrash.agent.InterruptedStartException;
import org.snowcrash.agent.InvalidModelException;
import org.snowcrash.agent.NoBackendStartedException;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.SnowcrashException;
import org.snowcrash.models.UnknownModelException;

/**
 * An error as OpenAI's API reports it ({@code {"error":{"message","type","param","code"}}}) with
 * the HTTP status that goes with it, so that OpenAI clients raise their usual exceptions
 * (404 {@code NotFoundError}, 429 {@code RateLimitError} with {@code Retry-After}, ...).
 *
 * @param status     the HTTP status
 * @param type       OpenAI's error type ({@code invalid_request_error}, {@code server_error}, ...)
 * @param code       a stable machine-readable code ({@code model_not_found}, {@code model_busy}, ...)
 * @param param      the request field at fault, if one is
 * @param message    for people
 * @param retryAfter when to try again, for {@code Retry-After}
 */
record OpenAiError(int status, String type, String code, Optional<String> param, String message,
                   Optional<Duration> retryAfter) {

    static final String INVALID_REQUEST = "invalid_request_error";
    static final String SERVER_ERROR = "server_error";

    /** A 400 for a request field the server cannot accept. */
    static OpenAiError badRequest(String param, String code, String message) {
        return new OpenAiError(400, INVALID_REQUEST, code, Optional.ofNullable(param), message, Optional.empty());
    }

    /** 503 for requests that arrive, or are cut, while the server shuts down. */
    static OpenAiError shuttingDown(String message) {
        return new OpenAiError(503, SERVER_ERROR, "shutting_down", Optional.empty(), message, Optional.empty());
    }

    /** The error for anything a request's handling threw. */
    static OpenAiError from(Throwable e) {
        if (e instanceof Refused r) {
            return r.error();
        }
        if (e instanceof UnknownModelException) {
            return new OpenAiError(404, INVALID_REQUEST, "model_not_found", Optional.of("model"), e.getMessage(),
                    Optional.empty());
        }
        if (e instanceof ChatException c) {
            return from(c);
        }
        if (e instanceof NoBackendStartedException) {
            return server(503, "no_backend", e.getMessage());
        }
        if (e instanceof InvalidModelException) {
            // The catalog knows the model but its file is missing or broken: the server's to fix.
            return server(503, "model_unavailable", e.getMessage());
        }
        if (e instanceof InterruptedStartException) {
            return server(503, "interrupted", e.getMessage());
        }
        if (e instanceof ConfigurationException) {
            return server(500, "configuration_error", e.getMessage());
        }
        if (e instanceof SnowcrashException) {
            return server(500, "internal_error", e.getMessage());
        }
        return server(500, "internal_error", e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    private static OpenAiError from(ChatException e) {
        ChatFailure f = e.failure();
        if (f instanceof ChatFailure.Busy b) {
            return new OpenAiError(429, "rate_limit_error", "model_busy", Optional.empty(), e.getMessage(),
                    Optional.of(b.retryAfter()));
        }
        if (f instanceof ChatFailure.OverBudget) {
            return server(503, "over_memory_budget", e.getMessage());
        }
        if (f instanceof ChatFailure.ContextOverflow o) {
            return badRequest("messages", "context_length_exceeded", "This model's maximum context length is "
                    + o.contextSize() + " tokens. However, your messages resulted in " + o.promptTokens()
                    + " tokens. (" + e.getMessage() + ")");
        }
        if (f instanceof ChatFailure.BackendGone) {
            return server(503, "backend_unavailable", e.getMessage());
        }
        if (f instanceof ChatFailure.Timeout) {
            return server(504, "backend_timeout", e.getMessage());
        }
        if (f instanceof ChatFailure.ServerError s) {
            // A backend that refuses what we sent refused the client's request; anything else is ours.
            return s.status() >= 400 && s.status() < 500
                    ? badRequest(null, "backend_rejected", e.getMessage())
                    : server(502, "backend_error", e.getMessage());
        }
        if (f instanceof ChatFailure.Closed) {
            return shuttingDown(e.getMessage());
        }
        return server(500, "internal_error", e.getMessage());
    }

    private static OpenAiError server(int status, String code, String message) {
        return new OpenAiError(status, SERVER_ERROR, code, Optional.empty(), message, Optional.empty());
    }

    /** {@code Retry-After} in whole seconds, rounded up (never 0, which would invite a busy loop). */
    Optional<String> retryAfterSeconds() {
        return retryAfter.map(d -> String.valueOf(Math.max(1, (d.toMillis() + 999) / 1000)));
    }

    /** A request the server refuses before it reaches a model; thrown by parsing and checks. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient OpenAiError error;

        Refused(OpenAiError error) {
            super(error.message(), null, false, false); // control flow: no stack trace to fill
            this.error = error;
        }

        OpenAiError error() {
            return error;
        }
    }
}
