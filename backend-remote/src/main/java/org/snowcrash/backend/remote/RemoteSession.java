package org.snowcrash.backend.remote;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.SessionInfo;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.ToolSpec;
import org.snowcrash.openai.Exchange;

import okhttp3.OkHttpClient;

/**
 * A model served by remote endpoints. Each request goes to the usable endpoint with the fewest
 * requests in flight ({@link Routing}); a request that provably did not run there (the connection
 * was never made, or the server refused it with a 5xx before any text) moves on to the next
 * endpoint, and the failed one cools down. A request whose text the caller already received is
 * never sent again: it fails with a typed {@link ChatException} ({@link ChatFailure.Timeout} when
 * the link went silent for the idle timeout, {@link ChatFailure.BackendGone} when it was cut), and
 * the runtime's recovery decides where the next turn goes. How each failure counts is
 * {@link Verdict}'s job; the breakers are shared with every session of the same backend.
 *
 * <p>An endpoint that was down when the session started is kept: when its cool-down is over, the
 * request that lands on it first checks that it serves the model (that check is its re-test), and
 * then it takes its share again. An endpoint that answered but refused the model (wrong key, TLS,
 * another model) is left out for the session's life.
 *
 * <p>Thread-safe: requests run concurrently on the servers. {@link #close()} releases nothing on
 * the servers (they are not ours); requests running then finish, later ones fail with
 * {@link ChatFailure.Closed}.
 */
final class RemoteSession implements ModelSession {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteSession.class);

    /** One try of a request on one endpoint. */
    @FunctionalInterface
    private interface Attempt<T> {
        T run(Members.Member member, Exchange exchange, AtomicBoolean textDelivered);
    }

    private final SessionInfo info;
    private final String remoteName;
    private final RemoteSettings settings;
    private final OkHttpClient http;
    private final List<Endpoint> endpoints;
    private final Members members;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param verified   endpoints that listed the model at start
     * @param unverified endpoints that could not be asked (they may come back)
     */
    RemoteSession(SessionInfo info, String remoteName, RemoteSettings settings, OkHttpClient http,
                  List<Endpoint> all, Set<Endpoint> verified, Set<Endpoint> unverified) {
        this.info = info;
        this.remoteName = remoteName;
        this.settings = settings;
        this.http = http;
        this.endpoints = List.copyOf(all);
        this.members = new Members(info.modelId(), remoteName, info.detail(), settings, http, all, verified, unverified);
    }

    @Override
    public SessionInfo info() {
        return info;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        checkCapabilities(request);
        return send((m, exchange, delivered) -> m.client.chat(request, exchange));
    }

    @Override
    public ChatResponse stream(ChatRequest request, TokenSink sink, Cancellation cancellation) {
        checkCapabilities(request);
        return send((m, exchange, delivered) -> m.client.stream(request, new MarkingSink(sink, delivered), cancellation, exchange));
    }

    /**
     * Tools and response formats go to the servers as they are (they render and enforce them); a
     * request needing what {@code backend.remote.capabilities} does not declare is refused here
     * too, for callers that use the session without the runtime.
     */
    private void checkCapabilities(ChatRequest request) {
        Set<Capability> missing = EnumSet.noneOf(Capability.class);
        missing.addAll(request.requiredCapabilities());
        missing.removeAll(settings.capabilities());
        if (!missing.isEmpty()) {
            throw new ChatException(RemoteBackend.ID, "model " + info.modelId(), new ChatFailure.Unsupported(RemoteBackend.ID, missing));
        }
    }

    /**
     * Counted by the server's own tokenizer where it has llama-server's endpoints for it; on
     * servers without them (vLLM, Ollama answer 404) an upper bound: every byte of every message
     * as one token, plus a few per message for the chat template's markers. Counting is
     * idempotent, so any failure moves on to the next endpoint.
     */
    @Override
    public int countPromptTokens(List<ChatMessage> messages) {
        return countPromptTokens(messages, List.of());
    }

    /** As {@link #countPromptTokens(List)}, with the tools rendered by the server's template. */
    @Override
    public int countPromptTokens(List<ChatMessage> messages, List<ToolSpec> tools) {
        return send((m, exchange, delivered) -> {
            if (m.noTokenizer) {
                return PromptBound.of(messages, tools);
            }
            try {
                return m.client.countPromptTokens(messages, tools);
            } catch (ChatException e) {
                if (e.failure() instanceof ChatFailure.ServerError s && (s.status() == 404 || s.status() == 405 || s.status() == 501)) {
                    m.noTokenizer = true;
                    return PromptBound.of(messages, tools);
                }
                throw e;
            }
        });
    }

    /** Whether an endpoint that serves the model answers its model list now (bounded by the connect timeout). */
    @Override
    public boolean isAlive() {
        if (closed.get()) {
            return false;
        }
        List<String> urls = members.usableUrls();
        if (urls.isEmpty()) {
            return false;
        }
        try {
            return ModelsCall.fetch(http, urls, settings.apiKey(), settings.connectTimeout()).values().stream()
                    .anyMatch(a -> a instanceof ModelsAnswer.Listed l && l.find(remoteName).isPresent());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        closed.set(true);
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new ChatException(RemoteBackend.ID, info.detail(), new ChatFailure.Closed());
        }
    }

    private <T> T send(Attempt<T> attempt) {
        Set<Endpoint> tried = new HashSet<>();
        List<ChatException> failures = new ArrayList<>();
        while (true) {
            ensureOpen();
            Optional<Endpoint.Lease> leased = Routing.lease(endpoints, tried, members::mayServe);
            if (leased.isEmpty()) {
                throw exhausted(failures);
            }
            try (Endpoint.Lease lease = leased.get()) {
                Members.Member m = members.of(lease.endpoint());
                if (m.standing == Members.Standing.UNVERIFIED) {
                    if (!members.verify(m, lease)) {
                        tried.add(m.endpoint);
                    }
                    continue; // verified: picked again like any other, with a permit of its own
                }
                tried.add(m.endpoint);
                Exchange exchange = new Exchange();
                AtomicBoolean delivered = new AtomicBoolean();
                try {
                    T result = attempt.run(m, exchange, delivered);
                    if (result instanceof ChatResponse r && r.finishReason() == FinishReason.CANCELLED && !delivered.get()) {
                        lease.released(); // cancelled before anything came back: says nothing of its health
                    } else {
                        lease.succeeded();
                    }
                    return result;
                } catch (ChatException e) {
                    switch (Verdict.of(e.failure(), exchange, delivered.get())) {
                        case NEUTRAL -> {
                            lease.released();
                            throw e;
                        }
                        case SOFT -> {
                            lease.succeeded();
                            throw e;
                        }
                        case HARD_RETRY_ELSEWHERE -> {
                            fail(lease, e);
                            failures.add(e);
                            LOG.warn("{}: the request did not run there; trying another endpoint", e.getMessage());
                        }
                        case HARD_FINAL -> {
                            fail(lease, e);
                            throw e;
                        }
                    }
                }
            }
        }
    }

    private void fail(Endpoint.Lease lease, ChatException e) {
        lease.failed(e.failure().describe());
        LOG.warn("endpoint {} cools down for {}: {}", lease.endpoint().url(), Durations.human(settings.cooldown()),
                e.failure().describe());
    }

    /** No endpoint can take the request: one error that says, per endpoint, why. */
    private ChatException exhausted(List<ChatException> failures) {
        if (failures.size() == 1) {
            return failures.get(0);
        }
        String why = "no endpoint can take the request: " + members.describeEach();
        ChatException e = new ChatException(RemoteBackend.ID, "model " + info.modelId(), new ChatFailure.BackendGone(why),
                failures.isEmpty() ? null : failures.get(failures.size() - 1));
        failures.forEach(e::addSuppressed);
        return e;
    }
}
