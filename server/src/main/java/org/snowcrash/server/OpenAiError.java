package org.snowcrash.server;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import org.snowcrash.agent.Attempt;
import org.snowcrash.agent.InterruptedStartException;
import org.snowcrash.agent.InvalidModelException;
import org.snowcrash.agent.NoBackendStartedException;
import org.snowcrash.agent.pool.PoolFailure;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.ResponseFormat;
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
        return from(e, null);
    }

    /**
     * The error for anything the handling of {@code request} threw; the request tells which field
     * a failure of the model's backend is about ({@code tools}, {@code response_format},
     * {@code messages}). {@code request} may be null (the failure came before one was read).
     */
    static OpenAiError from(Throwable e, ChatRequest request) {
        if (e instanceof Refused r) {
            return r.error();
        }
        if (e instanceof UnknownModelException) {
            return new OpenAiError(404, INVALID_REQUEST, "model_not_found", Optional.of("model"), e.getMessage(),
                    Optional.empty());
        }
        if (e instanceof ChatException c) {
            return from(c, request);
        }
        if (e instanceof NoBackendStartedException n && incapable(n).isPresent()) {
            // Every backend that could have served was skipped for lacking what the request needs.
            Set<Capability> missing = incapable(n).get();
            return badRequest(capabilityParam(missing), "unsupported_capability", "no backend of this server can honour "
                    + missing.stream().map(Enum::name).sorted().toList() + " that the request needs: " + e.getMessage());
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

    private static OpenAiError from(ChatException e, ChatRequest request) {
        ChatFailure f = e.failure();
        if (f instanceof ChatFailure.Unsupported u) {
            return badRequest(capabilityParam(u.missing()), "unsupported_capability", e.getMessage());
        }
        if (f instanceof ChatFailure.InvalidAnswer a) {
            // Not the client's fault and not a broken server: the model (upstream of us) answered
            // outside the request's schema, and the answer was held back. OpenAI clients retry 5xx;
            // a retry samples anew and may well be valid.
            return server(502, "invalid_model_answer", "the model's answer broke what the request asked for, so it was "
                    + "not handed over (asking again may give a valid one): " + a.what() + " (" + e.backendId() + ")");
        }
        if (f instanceof PoolFailure.Busy b) {
            return new OpenAiError(429, "rate_limit_error", b.code(), Optional.empty(), e.getMessage(),
                    Optional.of(b.retryAfter()));
        }
        if (f instanceof PoolFailure.OverBudget o) {
            return server(503, o.code(), e.getMessage());
        }
        if (f instanceof ChatFailure.ContextOverflow o) {
            boolean tools = toolsOutweighMessages(request);
            return badRequest(tools ? "tools" : "messages", "context_length_exceeded", "This model's maximum context length is "
                    + o.contextSize() + " tokens. However, your " + (request != null && request.offersTools()
                    ? "messages and " + request.tools().size() + " tools" : "messages") + " resulted in " + o.promptTokens()
                    + " tokens" + (tools ? ", most of it the tools: offer fewer tools or shorter descriptions and schemas" : "")
                    + ". (" + e.getMessage() + ")");
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
                    ? badRequest(schemaParam(request), "backend_rejected", e.getMessage())
                    : server(502, "backend_error", e.getMessage());
        }
        if (f instanceof ChatFailure.Closed) {
            return shuttingDown(e.getMessage());
        }
        if (f instanceof ChatFailure.Specific s) {
            // A failure a backend (or a runtime part) defines in its own terms: its stable code
            // tells clients what it was, though this server cannot know whose fault it is.
            return server(500, s.code(), e.getMessage());
        }
        return server(500, "internal_error", e.getMessage());
    }

    /** The field a missing capability is about: what the request asked that needs it. */
    private static String capabilityParam(Set<Capability> missing) {
        return missing.contains(Capability.TOOLS) ? "tools" : missing.contains(Capability.JSON_SCHEMA) ? "response_format" : null;
    }

    /**
     * What the backends lacked, when at least one was skipped for lacking a capability the request
     * needs and none of the others failed to start (they were disabled or unavailable): then no
     * backend that can run here could have honoured the request. Empty when a start failed.
     */
    private static Optional<Set<Capability>> incapable(NoBackendStartedException e) {
        Set<Capability> missing = EnumSet.noneOf(Capability.class);
        for (Attempt a : e.attempts()) {
            if (a.outcome() instanceof Attempt.Incapable i) {
                missing.addAll(i.missing());
            } else if (!(a.outcome() instanceof Attempt.Disabled || a.outcome() instanceof Attempt.NotConfigured
                    || a.outcome() instanceof Attempt.Unavailable)) {
                return Optional.empty();
            }
        }
        return missing.isEmpty() ? Optional.empty() : Optional.of(missing);
    }

    /**
     * Whether an overflowing request's tools take more room than its messages: then the error names
     * {@code tools}. Compared by their JSON and text lengths, which track their token counts closely
     * enough to tell which part is the bulk, on any tokenizer.
     */
    private static boolean toolsOutweighMessages(ChatRequest request) {
        if (request == null || !request.offersTools()) {
            return false;
        }
        long tools = request.tools().stream().mapToLong(t -> t.name().length() + t.description().length()
                + t.parameters().json().length()).sum();
        long messages = request.messages().stream().mapToLong(m -> m.content().length()
                + m.toolCalls().stream().mapToLong(c -> c.arguments().length()).sum()).sum();
        return tools >= messages;
    }

    /** The schema-bearing field a backend's refusal is most likely about: its JSON schema, else its tools. */
    private static String schemaParam(ChatRequest request) {
        if (request == null) {
            return null;
        }
        if (request.responseFormat() instanceof ResponseFormat.JsonSchemaFormat) {
            return "response_format.json_schema.schema";
        }
        return request.offersTools() ? "tools" : null;
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
