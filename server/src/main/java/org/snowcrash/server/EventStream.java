package org.snowcrash.server;

import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.snowcrash.agent.pool.PooledModel;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;

/**
 * {@code GET /v1/events}: a server-sent event stream of every model's lifecycle, through
 * Javalin's own SSE support. A client first gets one {@code models} event (the catalog with each
 * model's state, as {@code GET /v1/models}), then a {@code lifecycle} event for each start,
 * progress line, fallback, served-by, degradation, stop or unload of any model, as it happens.
 * A comment every {@link #heartbeat()} call keeps proxies from closing a quiet stream and lets a
 * client that went away be noticed and dropped. Thread-safe.
 */
final class EventStream implements Handler {

    private final EventHub hub;
    private final OpenAiJson json;
    private final Supplier<java.util.List<PooledModel>> models;
    private final Clock clock;
    private final long created;
    private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
    private final SseHandler sse = new SseHandler(0, this::connected);

    EventStream(EventHub hub, OpenAiJson json, Supplier<java.util.List<PooledModel>> models, Clock clock, long created) {
        this.hub = hub;
        this.json = json;
        this.models = models;
        this.clock = clock;
        this.created = created;
    }

    @Override
    public void handle(Context ctx) throws Exception {
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            // Javalin's SSE handler would answer an empty 200; say what is wrong instead.
            throw new OpenAiError.Refused(new OpenAiError(406, OpenAiError.INVALID_REQUEST, "not_acceptable",
                    java.util.Optional.empty(), "GET /v1/events is a server-sent event stream: send Accept: text/event-stream",
                    java.util.Optional.empty()));
        }
        sse.handle(ctx);
    }

    private void connected(SseClient client) {
        client.keepAlive();
        clients.add(client);
        AutoCloseable subscription = hub.subscribe((model, event) -> client.sendEvent("lifecycle", json.lifecycle(model, event)));
        client.onClose(() -> {
            clients.remove(client);
            try {
                subscription.close();
            } catch (Exception e) {
                // removing a listener does not fail
            }
        });
        client.sendEvent("models", json.models(models.get(), created));
    }

    /** A comment to every client; those that went away are closed and dropped. */
    void heartbeat() {
        String now = clock.instant().toString();
        for (SseClient c : clients) {
            c.sendComment("keep-alive " + now);
        }
    }

    /** Ends every stream (at shutdown). */
    void closeAll() {
        for (SseClient c : clients) {
            c.close();
        }
    }
}
