package org.snowcrash.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.EventSink;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.SessionInfo;
import org.snowcrash.api.Settings;
import org.snowcrash.api.TokenSink;
import org.snowcrash.registry.Configuration;
import org.snowcrash.registry.Discovery;

/**
 * A conversation with a local model: the library API viewers use.
 *
 * <pre>{@code
 * try (Agent agent = Agent.builder().model("llama").systemPrompt("You are a robot.")
 *         .listener(event -> viewer.show(event)).start()) {
 *     ChatResponse r = agent.ask("What do you see?", piece -> viewer.append(piece));
 * }
 * }</pre>
 *
 * <p>{@link Builder#start()} discovers backends, starts the model on the first that can
 * (falling back in priority order) and publishes every step as an {@link AgentEvent}. Each
 * {@link #ask} keeps the conversation (system prompt and turns), trims the oldest turns so the
 * request fits the context window, streams the answer and records it. One turn runs at a time
 * per agent ({@code ask} from several threads queue up); {@link #cancel()} may be called from
 * any thread and ends the running turn with {@link FinishReason#CANCELLED}, which is not an error.
 */
public final class Agent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    /** What was started: configuration, model and backends in try order, for a restart. */
    private final StartRequest.Resolved started;
    private final Recovery recovery;
    private final java.util.Set<String> died = new java.util.LinkedHashSet<>();
    private volatile ModelSession session;
    private volatile boolean sessionDead;
    private volatile List<Attempt> attempts;
    private final List<AgentListener> listeners;
    private final String systemPrompt;
    private final int maxTokens;
    private final OptionalDouble temperature;
    private final List<ChatMessage> turns = new ArrayList<>();
    private final Object turnLock = new Object();
    private volatile Cancellation current;
    private volatile boolean closed;

    private Agent(Launch launch, StartRequest.Resolved started, Recovery recovery,
                  List<AgentListener> listeners, String systemPrompt, int maxTokens, OptionalDouble temperature) {
        this.session = launch.session();
        this.attempts = launch.attempts();
        this.started = started;
        this.recovery = recovery;
        this.listeners = listeners;
        this.systemPrompt = systemPrompt;
        this.maxTokens = maxTokens;
        this.temperature = temperature;
    }

    /** A builder; nothing starts until {@link Builder#start()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Asks and waits for the whole answer; tokens still go to listeners as {@link AgentEvent.Token}. */
    public ChatResponse ask(String userText) {
        return ask(userText, piece -> { });
    }

    /**
     * Asks one question: the answer streams to {@code sink} (and to listeners) and is returned
     * whole at the end. On failure the conversation stays as it was and the error is thrown.
     *
     * @throws ChatException when the backend fails (the kind says how)
     * @throws IllegalStateException after {@link #close()}
     */
    public ChatResponse ask(String userText, TokenSink sink) {
        Objects.requireNonNull(userText, "userText");
        Objects.requireNonNull(sink, "sink");
        synchronized (turnLock) {
            if (closed) {
                throw new IllegalStateException("the agent is closed");
            }
            ModelSession active;
            try {
                active = usableSession();
            } catch (ChatException e) {
                publish(new AgentEvent.TurnFailed(e));
                throw e;
            }
            List<ChatMessage> all = new ArrayList<>();
            if (!systemPrompt.isEmpty()) {
                all.add(ChatMessage.system(systemPrompt));
            }
            synchronized (turns) {
                all.addAll(turns);
            }
            all.add(ChatMessage.user(userText));
            Cancellation cancellation = new Cancellation();
            current = cancellation;
            try {
                ContextBudget.Fit fit;
                try {
                    fit = ContextBudget.fit(all, active.info().contextSize(), maxTokens, active::countPromptTokens);
                } catch (ContextBudget.Overflow e) {
                    throw new ChatException(active.info().backendId(), "model " + active.info().modelId(), e.failure);
                }
                if (fit.dropped() > 0) {
                    LOG.debug("dropped {} old messages to fit the context of {} tokens", fit.dropped(), active.info().contextSize());
                }
                ChatRequest request = new ChatRequest(fit.messages(), fit.maxTokens(), temperature, OptionalLong.empty(), List.of());
                SentenceSplitter sentences = new SentenceSplitter();
                ChatResponse response = active.stream(request, piece -> {
                    publish(new AgentEvent.Token(piece));
                    sink.accept(piece);
                    for (String sentence : sentences.accept(piece)) {
                        publish(new AgentEvent.Sentence(sentence));
                    }
                }, cancellation);
                for (String sentence : sentences.flush()) {
                    publish(new AgentEvent.Sentence(sentence));
                }
                synchronized (turns) {
                    turns.add(ChatMessage.user(userText));
                    turns.add(ChatMessage.assistant(response.text()));
                }
                publish(new AgentEvent.TurnFinished(response, fit.dropped()));
                return response;
            } catch (ChatException e) {
                if (e.failure() instanceof ChatFailure.BackendGone || e.failure() instanceof ChatFailure.Timeout) {
                    // The backend died: say so now; the next turn recovers as configured.
                    sessionDead = true;
                    died.add(active.info().backendId());
                    publish(new AgentEvent.Lifecycle(new LifecycleEvent.Degraded(active.info().backendId(),
                            active.info().modelId(), e.failure().describe())));
                }
                publish(new AgentEvent.TurnFailed(e));
                throw e;
            } finally {
                current = null;
            }
        }
    }

    /** The session to use for this turn, started again first when the last one died. */
    private ModelSession usableSession() {
        ModelSession s = session;
        if (!sessionDead) {
            return s;
        }
        String gone = s.info().backendId();
        if (recovery == Recovery.NONE) {
            throw new ChatException(gone, "model " + s.info().modelId(), new ChatFailure.BackendGone(
                    "it died earlier and recovery is off (snowcrash.agent.recovery=none)"));
        }
        s.close();
        StartRequest.Resolved again = started;
        if (recovery == Recovery.NEXT) {
            List<org.snowcrash.registry.Candidate> rest = new ArrayList<>();
            for (org.snowcrash.registry.Candidate c : started.discovery().candidates()) {
                if (!died.contains(c.id())) {
                    rest.add(c);
                }
            }
            again = new StartRequest.Resolved(started.settings(), started.spec(), new Discovery(rest, started.discovery().broken()));
        }
        LOG.info("backend {} died; starting model {} again ({})", gone, started.spec().id(), recovery);
        try {
            Launch launch = again.launch(event -> publish(new AgentEvent.Lifecycle(event)));
            if (closed) {
                launch.session().close();
                throw new IllegalStateException("the agent was closed while its model restarted");
            }
            session = launch.session();
            attempts = launch.attempts();
            sessionDead = false;
            return launch.session();
        } catch (RuntimeException e) {
            throw new ChatException(gone, "model " + started.spec().id(), new ChatFailure.BackendGone(
                    "it died and no backend could start the model again: " + e.getMessage()), e);
        }
    }

    /** Cancels the running turn, if any. Safe from any thread; a no-op when idle. */
    public void cancel() {
        Cancellation c = current;
        if (c != null) {
            c.cancel();
        }
    }

    /** The conversation so far (without the system prompt), oldest first. */
    public List<ChatMessage> history() {
        synchronized (turns) {
            return List.copyOf(turns);
        }
    }

    /** Forgets the conversation; the model keeps running. */
    public void reset() {
        synchronized (turns) {
            turns.clear();
        }
    }

    /** Which backend serves which model (after a recovery, the one that serves now). */
    public SessionInfo info() {
        return session.info();
    }

    /** Every backend the fallback chain considered at the latest start, in order. */
    public List<Attempt> attempts() {
        return attempts;
    }

    /** Adds a listener after start (start events are only seen by listeners given to the builder). */
    public void subscribe(AgentListener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    /** Removes a listener. */
    public void unsubscribe(AgentListener listener) {
        listeners.remove(listener);
    }

    /** Cancels a running turn and closes the session (its container stops). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cancel();
        session.close();
        publish(new AgentEvent.Lifecycle(new LifecycleEvent.Stopped(session.info().backendId(), session.info().modelId())));
    }

    private void publish(AgentEvent event) {
        publish(listeners, event);
    }

    static void publish(List<AgentListener> listeners, AgentEvent event) {
        for (AgentListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("agent listener failed on {}: {}", event.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /** Configures and starts an {@link Agent}. Not thread-safe. */
    public static final class Builder {
        private Settings settings;
        private String modelId;
        private ModelSpec spec;
        private String backendId;
        private String systemPrompt = "";
        private int maxTokens = 256;
        private OptionalDouble temperature = OptionalDouble.empty();
        private final List<AgentListener> listeners = new CopyOnWriteArrayList<>();
        private Discovery discovery;
        private Recovery recovery;

        private Builder() {
        }

        /** The configuration; default: {@link Configuration#load} with no file and no flags. */
        public Builder settings(Settings s) { this.settings = s; return this; }
        /** The catalog model to run ({@code llama}, {@code phi-3}, {@code gemma}, {@code demo}, or one of yours). */
        public Builder model(String id) { this.modelId = id; return this; }
        /** A spec to run instead of a catalog model. */
        public Builder spec(ModelSpec s) { this.spec = s; return this; }
        /** Force one backend by id instead of discovery order. */
        public Builder backend(String id) { this.backendId = id; return this; }
        /** The system prompt (none by default). */
        public Builder systemPrompt(String s) { this.systemPrompt = Objects.requireNonNull(s); return this; }
        /** The most tokens per answer (default 256). */
        public Builder maxTokens(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxTokens must be at least 1");
            }
            this.maxTokens = n;
            return this;
        }
        /** Sampling temperature (the backend's default when unset). */
        public Builder temperature(double t) { this.temperature = OptionalDouble.of(t); return this; }
        /** A listener that also sees the start events. */
        public Builder listener(AgentListener l) { this.listeners.add(Objects.requireNonNull(l)); return this; }
        /** What to do after the backend dies; default {@code snowcrash.agent.recovery}, else {@link Recovery#RESTART}. */
        public Builder recovery(Recovery r) { this.recovery = Objects.requireNonNull(r); return this; }
        /** Use these discovered backends instead of discovering (tests, embedding). */
        public Builder discovery(Discovery d) { this.discovery = d; return this; }

        /**
         * Validates the model, starts it on the first backend that can, and returns the agent.
         *
         * @throws InvalidModelException     when the model file is unusable
         * @throws NoBackendStartedException when no backend started it (message lists every attempt)
         * @throws org.snowcrash.registry.UnknownBackendException when {@link #backend} names no discovered backend
         * @throws org.snowcrash.models.UnknownModelException when the model id is not in the catalog
         * @throws org.snowcrash.api.ConfigurationException when configuration values are wrong
         */
        public Agent start() {
            StartRequest.Resolved resolved = new StartRequest(settings, modelId, spec, backendId, discovery).resolve();
            List<AgentListener> ls = listeners;
            EventSink sink = event -> publish(ls, new AgentEvent.Lifecycle(event));
            Recovery r = recovery;
            if (r == null) {
                var reader = resolved.settings().reader();
                r = Recovery.valueOf(reader.oneOf("snowcrash.agent.recovery", "restart", "restart", "next", "none")
                        .toUpperCase(java.util.Locale.ROOT));
                reader.throwIfProblems();
            }
            return new Agent(resolved.launch(sink), resolved, r, ls, systemPrompt, maxTokens, temperature);
        }
    }

    @Override
    public String toString() {
        return "Agent[" + session.info() + ", " + history().size() + " messages]";
    }
}
