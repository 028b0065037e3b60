package org.snowcrash.spring.boot;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.agent.Attempt;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.agent.pool.ModelPool;
import org.snowcrash.agent.pool.PooledModel;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.SessionInfo;
import org.snowcrash.registry.Configuration;

/**
 * The Snowcrash models of one Spring application context: one {@link RunningModel} (started
 * eagerly, or on first use) or a {@link ModelPool}. The context closes it, and {@link #close()}
 * returns only after every container Snowcrash started is removed and the in-process model closed.
 *
 * <p>Thread-safe: the start and the close hold this object's lock, so a request that arrives
 * during a lazy start waits for it, and a close waits for a start in progress (then closes what
 * it started).
 */
public final class SnowcrashRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SnowcrashRuntime.class);

    /** How a model is doing, for the health indicator. */
    public enum Level {
        /** Served by the first backend in try order that could serve it. */
        UP,
        /** Served, but after a fallback from a preferred backend, or its backend died and the next request restarts it. */
        DEGRADED,
        /** Its start failed: no backend could start it. */
        DOWN,
        /** Not started yet (lazy start, or a pooled model not loaded). */
        NOT_STARTED
    }

    /**
     * One model's health.
     *
     * @param model   the catalog id
     * @param level   how it is doing
     * @param details what the health endpoint shows (backend, fallbacks, error)
     */
    public record Report(String model, Level level, Map<String, Object> details) {
    }

    private final Configuration settings;
    private final SnowcrashSpringProperties properties;
    private final ModelStates states;
    private final ModelPool pool;
    private RunningModel model;
    private RuntimeException lastFailure;
    private boolean closed;

    private SnowcrashRuntime(Configuration settings, SnowcrashSpringProperties properties, ModelStates states, ModelPool pool) {
        this.settings = settings;
        this.properties = properties;
        this.states = states;
        this.pool = pool;
    }

    /**
     * The runtime for these settings. With the pool, the configuration and the catalog are read
     * and the backends discovered now (a bad value fails here); a single model starts on
     * {@link #start()} or on first use.
     *
     * @throws SnowcrashStartException naming the model when the pool cannot be built
     */
    public static SnowcrashRuntime create(Configuration settings, SnowcrashSpringProperties properties, ModelStates states) {
        Objects.requireNonNull(settings, "settings");
        if (!properties.isPool()) {
            return new SnowcrashRuntime(settings, properties, states, null);
        }
        try {
            ModelPool.Builder b = ModelPool.builder().settings(settings).modelListener(states::on);
            if (properties.getBackend() != null) {
                b.backend(properties.getBackend());
            }
            return new SnowcrashRuntime(settings, properties, states, b.build());
        } catch (RuntimeException e) {
            throw new SnowcrashStartException(properties.getModel(), e);
        }
    }

    /**
     * Starts the model now (the eager start): the single model, or with the pool the default model,
     * by a one-token request. Blocks until it answers.
     *
     * @throws SnowcrashStartException naming the model when no backend could start it
     */
    public void start() {
        if (pool != null) {
            try {
                pool.chat(properties.getModel(), ChatRequest.of(List.of(ChatMessage.user("hello")), 1));
            } catch (RuntimeException e) {
                throw failed(e);
            }
        } else {
            model();
        }
    }

    /**
     * The single model, started on the first call. A failed start is thrown to the caller and
     * tried again by the next call (a Docker engine may have come up meanwhile).
     *
     * @throws SnowcrashStartException naming the model when it cannot start
     * @throws IllegalStateException   after {@link #close()}, or in pool mode
     */
    public synchronized RunningModel model() {
        if (closed) {
            throw new IllegalStateException("the Snowcrash model was closed with its application context");
        }
        if (pool != null) {
            throw new IllegalStateException("snowcrash.spring.pool=true: requests go to the pool, not one model");
        }
        if (model == null) {
            try {
                RunningModel.Builder b = RunningModel.builder().settings(settings).model(properties.getModel())
                        .needs(properties.getNeeds().isEmpty() ? Set.of() : Set.copyOf(properties.getNeeds()))
                        .listener(event -> states.on(properties.getModel(), event));
                if (properties.getBackend() != null) {
                    b.backend(properties.getBackend());
                }
                model = b.start();
                lastFailure = null;
                LOG.info("Snowcrash model {} is served by {}", properties.getModel(), model.info().backendId());
            } catch (RuntimeException e) {
                throw failed(e);
            }
        }
        return model;
    }

    private synchronized SnowcrashStartException failed(RuntimeException e) {
        SnowcrashStartException wrapped = e instanceof SnowcrashStartException s ? s
                : new SnowcrashStartException(properties.getModel(), e);
        lastFailure = wrapped;
        return wrapped;
    }

    /** The pool, when {@code snowcrash.spring.pool=true}; else {@code null}. */
    public ModelPool pool() {
        return pool;
    }

    /** The model requests go to when their options name none. */
    public String defaultModel() {
        return properties.getModel();
    }

    /** The health of every model this runtime serves or tried to. Never blocks on a start. */
    public List<Report> health() {
        RunningModel m;
        RuntimeException failure;
        synchronized (this) {
            m = model;
            failure = lastFailure;
        }
        if (pool != null) {
            return pool.models().stream().map(p -> pooled(p, failure)).toList();
        }
        String id = properties.getModel();
        if (m == null) {
            return List.of(failure != null ? down(id, failure)
                    : new Report(id, Level.NOT_STARTED, Map.of("reason", "starts on the first request (snowcrash.spring.startup=lazy)")));
        }
        Map<String, Object> d = new LinkedHashMap<>();
        SessionInfo info = m.info();
        d.put("backend", info.backendId());
        if (info.detail() != null && !info.detail().isEmpty()) {
            d.put("detail", info.detail());
        }
        d.put("contextSize", info.contextSize());
        List<String> fellBack = m.attempts().stream()
                .filter(a -> a.outcome() instanceof Attempt.Unavailable || a.outcome() instanceof Attempt.Failed)
                .map(Attempt::describe).toList();
        d.put("attempts", m.attempts().stream().map(Attempt::describe).toList());
        ModelStates.State s = states.of(id);
        if (s.died().isPresent() && !s.serving()) {
            d.put("died", s.died().get());
            return List.of(new Report(id, Level.DEGRADED, d));
        }
        if (!fellBack.isEmpty()) {
            d.put("fallbacks", fellBack);
            return List.of(new Report(id, Level.DEGRADED, d));
        }
        return List.of(new Report(id, Level.UP, d));
    }

    private Report pooled(PooledModel p, RuntimeException failure) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("state", p.state().name());
        p.backendId().ifPresent(b -> d.put("backend", b));
        d.put("inFlight", p.inFlight());
        ModelStates.State s = states.of(p.id());
        return switch (p.state()) {
            case READY -> {
                if (!s.fallbacks().isEmpty()) {
                    d.put("fallbacks", s.fallbacks());
                    yield new Report(p.id(), Level.DEGRADED, d);
                }
                yield new Report(p.id(), Level.UP, d);
            }
            case DEGRADED -> {
                s.died().ifPresent(r -> d.put("died", r));
                yield new Report(p.id(), Level.DEGRADED, d);
            }
            default -> failure != null && p.id().equals(properties.getModel()) && p.state() == PooledModel.State.UNLOADED
                    ? down(p.id(), failure) : new Report(p.id(), Level.NOT_STARTED, d);
        };
    }

    private static Report down(String id, RuntimeException failure) {
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        return new Report(id, Level.DOWN, Map.of("error", String.valueOf(cause.getMessage())));
    }

    /**
     * Closes the model or the pool: containers removed, the in-process model closed, before this
     * returns. Idempotent; never throws.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (model != null) {
                model.close();
            }
            if (pool != null) {
                pool.close();
            }
        } catch (RuntimeException e) {
            LOG.warn("closing Snowcrash failed: {}", e.toString());
        }
    }

    @Override
    public String toString() {
        return "SnowcrashRuntime[" + (pool != null ? "pool" : "model " + properties.getModel()) + "]";
    }
}
