package org.snowcrash.server;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.agent.SentenceSplitter;
import org.snowcrash.agent.pool.ModelPool;
import org.snowcrash.agent.pool.PooledModel;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.ToolCallDelta;
import org.snowcrash.openai.wire.Completion;
import org.snowcrash.openai.wire.ResponseJson;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code POST /v1/chat/completions}: one request to one model through the pool, answered as
 * one JSON object or as server-sent events. Every request, blocking or streaming, runs as a
 * cancellable stream on the pool, so that a client that goes away (noticed at the next write)
 * and a shutdown past its bound both stop the generation and free the server's slot.
 *
 * <p>Called on Jetty's request threads, many at once; holds no state of its own per request.
 */
final class ChatCompletions {

    private static final Logger LOG = LoggerFactory.getLogger(ChatCompletions.class);
    /** The status counted for a request whose client went away (nginx's convention, also Javalin's). */
    static final int CLIENT_GONE = 499;

    private final ModelPool pool;
    private final EventHub events;
    private final Metrics metrics;
    private final InFlight inFlight;
    private final ObjectMapper mapper;
    private final OpenAiJson json;
    /** Answers and their chunks, in the JSON the client reads them with. */
    private final ResponseJson wire;
    private final int defaultMaxTokens;
    private final Clock clock;
    /** The catalog's model ids (fixed for the pool's life), so a request's metrics label needs no pool snapshot. */
    private final java.util.Set<String> catalogIds;

    ChatCompletions(ModelPool pool, EventHub events, Metrics metrics, InFlight inFlight, ObjectMapper mapper,
                    int defaultMaxTokens, Clock clock) {
        this.pool = pool;
        this.events = events;
        this.metrics = metrics;
        this.inFlight = inFlight;
        this.mapper = mapper;
        this.json = new OpenAiJson(mapper);
        this.wire = new ResponseJson(mapper);
        this.defaultMaxTokens = defaultMaxTokens;
        this.clock = clock;
        this.catalogIds = pool.models().stream().map(PooledModel::id).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** Handles one request; never throws (every failure becomes an OpenAI-style error). */
    void handle(JettyExchange exchange) {
        long t0 = System.nanoTime();
        CompletionRequest req;
        try {
            req = CompletionRequest.parse(mapper, exchange.body(), defaultMaxTokens);
        } catch (OpenAiError.Refused e) {
            reply(exchange, e.error());
            metrics.request("(invalid)", false, e.error().status(), Duration.ofNanos(System.nanoTime() - t0));
            return;
        }
        Optional<InFlight.Request> entry = inFlight.enter(req.model());
        if (entry.isEmpty()) {
            reply(exchange, OpenAiError.shuttingDown("the server is shutting down; no new requests are taken"));
            return;
        }
        // A model id the catalog does not know is counted under one label, so clients cannot grow the metrics.
        String label = catalogIds.contains(req.model()) ? req.model() : "(unknown)";
        metrics.inFlight(label, 1);
        int status = 500;
        try {
            status = req.stream() ? stream(exchange, req, entry.get(), t0) : blocking(exchange, req, entry.get(), t0);
        } catch (RuntimeException e) {
            OpenAiError err = OpenAiError.from(e, req.request());
            if (err.status() >= 500) {
                LOG.warn("request for model {} failed: {}", req.model(), e.toString());
            }
            if (!exchange.committed()) {
                reply(exchange, err);
            }
            status = err.status();
        } finally {
            inFlight.exit(entry.get());
            metrics.inFlight(label, -1);
            metrics.request(label, req.stream(), status, Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    private int blocking(JettyExchange exchange, CompletionRequest req, InFlight.Request entry, long t0) {
        // Only the first output of any kind (text, a call, thinking) is noted: for the first-token metric.
        TokenSink sink = new TokenSink() {
            private boolean first = true;

            @Override
            public void accept(String piece) {
                if (first) {
                    first = false;
                    metrics.firstToken(req.model(), Duration.ofNanos(System.nanoTime() - t0));
                }
            }

            @Override
            public void toolCall(ToolCallDelta delta) {
                accept("");
            }

            @Override
            public void reasoning(String piece) {
                accept(piece);
            }
        };
        ChatResponse r = pool.stream(req.model(), req.request(), sink, entry.cancellation);
        if (r.finishReason() == FinishReason.CANCELLED) {
            // Only a shutdown cancels a blocking request (in the queue, waiting for memory or a start, or
            // generating): its client is never written to before the end.
            OpenAiError err = OpenAiError.shuttingDown("the server shut down before the answer was complete");
            reply(exchange, err);
            return err.status();
        }
        metrics.tokens(req.model(), r.usage().promptTokens(), r.usage().completionTokens());
        // Where it ran, from the answer itself: exact even when the model restarted elsewhere meanwhile.
        Optional<String> backend = r.servedBy().map(org.snowcrash.api.SessionInfo::backendId).or(() -> backendOf(req.model()));
        backend.ifPresent(b -> exchange.header("X-Snowcrash-Backend", b));
        exchange.reply(200, wire.completion(completion(req), backend, r));
        return 200;
    }

    private int stream(JettyExchange exchange, CompletionRequest req, InFlight.Request entry, long t0) {
        SseReply out = new SseReply(exchange);
        Completion c = completion(req);
        AutoCloseable subscription = req.events()
                ? events.subscribe((model, e) -> {
                    if (model.equals(req.model())) {
                        out.event("snowcrash.lifecycle", json.lifecycle(model, e));
                    }
                })
                : () -> { };
        Chunks chunks = new Chunks(out, c, req, entry, t0);
        try {
            ChatResponse r;
            try {
                r = pool.stream(req.model(), req.request(), chunks, entry.cancellation);
            } catch (RuntimeException e) {
                if (!out.committed()) {
                    throw e; // nothing sent yet: the error gets its own status and a JSON body
                }
                OpenAiError err = OpenAiError.from(e, req.request());
                out.data(json.error(err)); // inside the stream, as OpenAI (and llama-server) send them
                return err.status();
            }
            if (r.finishReason() == FinishReason.CANCELLED) {
                if (entry.cutByShutdown()) {
                    OpenAiError err = OpenAiError.shuttingDown("the server shut down; the answer was cut after "
                            + r.usage().completionTokens() + " tokens");
                    if (!out.committed()) {
                        reply(exchange, err);
                    } else {
                        out.data(json.error(err));
                    }
                    return err.status();
                }
                return CLIENT_GONE;
            }
            chunks.finish(r);
            metrics.tokens(req.model(), r.usage().promptTokens(), r.usage().completionTokens());
            return out.gone() ? CLIENT_GONE : 200;
        } finally {
            try {
                subscription.close();
            } catch (Exception e) {
                // removing a listener does not fail
            }
        }
    }

    /** Turns pieces into chunks (and sentences), and notices a client that went away. */
    private final class Chunks implements TokenSink {
        private final SseReply out;
        private final Completion c;
        private final CompletionRequest req;
        private final long t0;
        private final SentenceSplitter splitter = new SentenceSplitter();
        private Optional<String> backend = Optional.empty();
        /** This answer's content chunks, written once the backend is known (at the first piece). */
        private ResponseJson.ContentChunks contentChunks;
        private final InFlight.Request entry;
        private boolean started;
        private int sentences;

        Chunks(SseReply out, Completion c, CompletionRequest req, InFlight.Request entry, long t0) {
            this.out = out;
            this.c = c;
            this.req = req;
            this.entry = entry;
            this.t0 = t0;
        }

        @Override
        public void accept(String piece) {
            start();
            out.data(contentChunks.of(piece));
            if (req.sentences()) {
                sentences(splitter.accept(piece));
            }
            stopIfGone();
        }

        @Override
        public void toolCall(ToolCallDelta delta) {
            start();
            out.data(wire.toolCallChunk(c, backend, delta, req.includeUsage()));
            stopIfGone();
        }

        @Override
        public void reasoning(String piece) {
            start();
            out.data(wire.reasoningChunk(c, backend, piece, req.includeUsage()));
            stopIfGone();
        }

        private void stopIfGone() {
            if (out.gone()) {
                // The client closed its connection: stop generating now, so the server's slot frees at once.
                entry.cancellation.cancel();
            }
        }

        /** The role chunk, once, before the first piece: by now the model is up and its backend known. */
        private void start() {
            if (started) {
                return;
            }
            started = true;
            metrics.firstToken(req.model(), Duration.ofNanos(System.nanoTime() - t0));
            backend = backendOf(req.model());
            contentChunks = wire.contentChunks(c, backend, req.includeUsage());
            if (req.events() && backend.isPresent()) {
                out.event("snowcrash.served_by", json.servedBy(req.model(), backend.get()));
            }
            // Sent with what follows it (the first piece, call or thought): one write for the first token.
            out.dataWithNext(wire.chunk(c, backend, true, "", null, req.includeUsage()));
        }

        /** The end of a complete answer: the rest of the sentences, the finish reason, usage, [DONE]. */
        void finish(ChatResponse r) {
            start();
            if (req.sentences()) {
                sentences(splitter.flush());
            }
            // The last chunks go out in one write with [DONE].
            out.dataWithNext(wire.chunk(c, backend, false, null, r.finishReason(), req.includeUsage()));
            if (req.includeUsage()) {
                out.dataWithNext(wire.usageChunk(c, backend, r.usage()));
            }
            out.data("[DONE]");
        }

        private void sentences(List<String> done) {
            for (String s : done) {
                out.event("snowcrash.sentence", json.sentence(sentences++, s));
            }
        }
    }

    private Completion completion(CompletionRequest req) {
        return new Completion("chatcmpl-" + UUID.randomUUID().toString().replace("-", ""),
                clock.instant().getEpochSecond(), req.model());
    }

    /** The backend serving a model now, as the pool reports it. */
    private Optional<String> backendOf(String model) {
        // Not a listing of every model: that reads each model's file, on the way to the first token.
        return pool.servingBackend(model);
    }

    private void reply(JettyExchange exchange, OpenAiError err) {
        exchange.error(err, json.error(err));
    }
}
