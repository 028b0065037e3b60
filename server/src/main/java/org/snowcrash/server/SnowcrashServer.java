package org.snowcrash.server;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.agent.pool.ModelPool;
import org.snowcrash.api.Settings;
import org.snowcrash.registry.Configuration;
import org.snowcrash.registry.Discovery;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.javalin.Javalin;

/**
 * {@code snowcrash serve}: an OpenAI-compatible HTTP endpoint over every catalog model, with a
 * web chat viewer, on Javalin (Jetty 12).
 *
 * <pre>{@code
 * try (SnowcrashServer server = SnowcrashServer.builder().settings(config).start()) {
 *     System.err.println("listening: " + server.uri() + ", key in " + server.keyOrigin());
 *     ...
 *     server.shutdown(); // drain requests in flight (serve.drain-timeout), then remove every container
 * }
 * }</pre>
 *
 * <p>Routes: {@code POST /v1/chat/completions} (blocking, or server-sent events with
 * {@code stream_options.include_usage} and the {@code snowcrash} extension), {@code GET /v1/models},
 * {@code GET /v1/models/{id}}, {@code GET /v1/events} (lifecycle events), {@code GET /metrics}
 * (Prometheus), {@code GET /health} and the viewer at {@code /}. Everything under {@code /v1/} and
 * {@code /metrics} needs {@code Authorization: Bearer <key>}; {@code /health} and the viewer's
 * static files (which hold no key) do not.
 *
 * <p><b>Threads.</b> Requests run on Jetty's threads, many at once. {@link #shutdown} and
 * {@link #close()} may be called from any thread (a shutdown hook), once or more.
 */
public final class SnowcrashServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SnowcrashServer.class);
    private final ServeSettings settings;
    private final ApiKey key;
    private final ModelPool pool;
    private final InFlight inFlight;
    private final EventStream events;
    private final Javalin app;
    private final ScheduledExecutorService heartbeat;
    private final Consumer<String> notices;
    private final Object shutdownLock = new Object();
    private boolean shutDown;
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);

    private SnowcrashServer(Builder b, ServeSettings settings, ApiKey key) {
        this.settings = settings;
        this.key = key;
        this.notices = b.notices;
        Clock clock = b.clock;
        ObjectMapper mapper = new ObjectMapper();
        OpenAiJson json = new OpenAiJson(mapper);
        EventHub hub = new EventHub();
        b.listeners.forEach(hub::subscribe);
        this.inFlight = new InFlight();
        ModelPool.Builder pb = ModelPool.builder().settings(b.settings).clock(clock).modelListener(hub);
        if (b.discovery != null) {
            pb.discovery(b.discovery);
        }
        this.pool = pb.build();
        Metrics metrics = new Metrics(pool::models);
        hub.subscribe(metrics);
        long created = clock.instant().getEpochSecond();
        this.events = new EventStream(hub, json, pool::models, clock, created);
        ChatCompletions chat = new ChatCompletions(pool, hub, metrics, inFlight, mapper, settings.defaultMaxTokens(), clock);

        this.app = Routes.app(settings, key, pool, inFlight, events, metrics, chat, json, created);
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "snowcrash-serve-heartbeat");
            t.setDaemon(true);
            return t;
        });
    }

    /** A builder; nothing listens until {@link Builder#start()}. */
    public static Builder builder() {
        return new Builder();
    }

    private void start() {
        try {
            app.start();
        } catch (RuntimeException e) {
            pool.close();
            heartbeat.shutdownNow();
            throw new ServerStartException("cannot listen on " + settings.host() + ":" + settings.port() + ": "
                    + rootMessage(e) + " (set serve.host and serve.port, or --host and --port)", e);
        }
        heartbeat.scheduleWithFixedDelay(events::heartbeat, 15, 15, TimeUnit.SECONDS);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    /** Where the server listens: {@code http://host:port/} (an IPv6 host in brackets). */
    public URI uri() {
        String host = settings.host();
        String h = host.contains(":") ? "[" + host + "]" : host;
        return URI.create("http://" + h + ":" + port() + "/");
    }

    /** The port the server listens on (the one chosen when {@code serve.port=0}). */
    public int port() {
        return app.port();
    }

    /** Where the bearer key comes from: {@code serve.api-key} and its source, or the key file. */
    public String keyOrigin() {
        return key.origin();
    }

    /** The key file, when the key lives in one (not when {@code serve.api-key} is set). */
    public Optional<Path> keyFile() {
        return key.file();
    }

    /** Whether this start generated the key file. */
    public boolean keyGenerated() {
        return key.generated();
    }

    /** {@link #shutdown(Duration)} with {@code serve.drain-timeout}. */
    public void shutdown() {
        shutdown(settings.drainTimeout());
    }

    /**
     * Stops taking requests ({@code 503 shutting_down}, {@code /health} says {@code draining}),
     * waits up to {@code bound} for the requests in flight to end, cancels those still running
     * (a stream gets a {@code shutting_down} error event, a blocking request a 503), stops the
     * HTTP server and closes every model (its containers removed). Blocks until done. A call while
     * a shutdown runs waits for it; with a zero bound ({@link #close()}) it first cuts what still runs.
     */
    public void shutdown(Duration bound) {
        boolean first;
        synchronized (shutdownLock) {
            first = !shutDown;
            shutDown = true;
        }
        if (!first) {
            // Already shutting down (a second signal, a hook): a call without a bound hurries it.
            if (bound.isZero()) {
                inFlight.hurry();
            }
            awaitStopped();
            return;
        }
        heartbeat.shutdownNow();
        int running = inFlight.startDraining();
        events.closeAll();
        try {
            if (running > 0) {
                notices.accept("draining: " + running + " request" + (running == 1 ? "" : "s")
                        + " in flight, waiting up to " + bound.toMillis() + " ms");
            }
            int left = inFlight.awaitIdle(bound);
            if (left > 0) {
                int cut = inFlight.cutAll();
                notices.accept("draining: cutting " + cut + " request" + (cut == 1 ? "" : "s")
                        + " still running after " + bound.toMillis() + " ms");
                // The cut requests end at once (their streams are closed); give them a moment to say so.
                inFlight.awaitIdle(Duration.ofSeconds(5));
            } else if (running > 0) {
                notices.accept("draining: done");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            inFlight.cutAll();
        } finally {
            try {
                app.stop();
            } catch (RuntimeException e) {
                LOG.warn("stopping the HTTP server: {}", e.toString());
            }
            pool.close();
            stopped.countDown();
        }
    }

    private void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #shutdown(Duration)} without waiting: requests in flight are cut at once. */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }

    /**
     * What to serve and how. Not thread-safe; {@link #start()} once.
     */
    public static final class Builder {
        private Settings settings;
        private Map<String, String> environment = System.getenv();
        private Discovery discovery;
        private Consumer<String> notices = LOG::info;
        private Clock clock = Clock.systemUTC();
        private final java.util.List<ModelPool.ModelListener> listeners = new java.util.ArrayList<>();

        private Builder() {
        }

        /** The configuration ({@code serve.*}, models, backends); default: {@link Configuration#processDefault()}. */
        public Builder settings(Settings s) { this.settings = Objects.requireNonNull(s); return this; }

        /** Where {@code XDG_CONFIG_HOME} and {@code HOME} come from (the key file's folder); default the process environment. */
        public Builder environment(Map<String, String> env) { this.environment = Map.copyOf(env); return this; }

        /** Use these discovered backends instead of discovering (tests, embedding). */
        public Builder discovery(Discovery d) { this.discovery = Objects.requireNonNull(d); return this; }

        /** Where lines for people go (draining progress); default the log at INFO. Called on the shutting-down thread. */
        public Builder notices(Consumer<String> n) { this.notices = Objects.requireNonNull(n); return this; }

        /** A listener for every lifecycle event of every model (the command prints them). */
        public Builder listener(ModelPool.ModelListener l) { this.listeners.add(Objects.requireNonNull(l)); return this; }

        /** The clock for {@code created} fields and last-use times (tests). */
        public Builder clock(Clock c) { this.clock = Objects.requireNonNull(c); return this; }

        /**
         * Reads the settings (the pool's too: {@code snowcrash.memory.budget}, {@code model.<id>.keep-alive},
         * {@code max-in-flight}, {@code queue}), finds or makes the key, and starts listening. Models
         * start on their first request (through a {@link ModelPool}). Blocks until the port is bound.
         *
         * @throws org.snowcrash.api.ConfigurationException for wrong {@code serve.*} (or model) settings, or a key
         *                                                  file that cannot be made or is not private
         * @throws ServerStartException                     when the address cannot be listened on (port taken)
         */
        public SnowcrashServer start() {
            Settings s = settings != null ? settings : Configuration.processDefault();
            this.settings = s;
            ServeSettings serve = ServeSettings.from(s, environment);
            ApiKey key = ApiKey.resolve(serve, s.sourceOf(ServeSettings.API_KEY));
            SnowcrashServer server = new SnowcrashServer(this, serve, key);
            server.start();
            return server;
        }
    }
}
