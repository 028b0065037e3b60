package org.snowcrash.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

import org.snowcrash.agent.internal.Listeners;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.EventSink;
import org.snowcrash.api.FinishReason;
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
 * <p>An agent is a conversation on top of one {@link RunningModel}, which it starts and owns:
 * the model does the start, the fallback, the recovery after a backend dies and the lifecycle
 * events (which listeners receive as {@link AgentEvent.Lifecycle}); the agent keeps the system
 * prompt and the turns, trims the oldest turns so each request fits the context window (as its
 * {@link TrimPolicy} says), streams the answer, cuts it into sentences and records it.
 *
 * <p>An agent with {@linkplain Builder#tool tools} runs the tool loop: the model answers or calls
 * tools; each call (its arguments already valid against the tool's schema) runs, its result goes
 * back to the model, and the model goes on until it answers in text, within
 * {@linkplain Builder#maxToolSteps a bound}. Listeners see {@link AgentEvent.ToolCalled} and
 * {@link AgentEvent.ToolResult} for each call; an answer that breaks the request is never acted on
 * ({@link AgentEvent.AnswerRejected}, then a bounded re-ask). The tools are part of every prompt's
 * fixed beginning, and the context budget counts them as the backend renders them.
 *
 * <p>Each message is counted once, by the backend's own tokenizer, and its count is kept with it
 * ({@link PromptCosts}): a turn asks the tokenizer twice (the question before, the exchange after)
 * however long the conversation, and what is trimmed is forgotten, so neither the work per turn
 * nor the memory grows with the length of the day. One turn runs at a time per agent
 * ({@code ask} from several threads queue up); {@link #cancel()} may be called from any thread
 * and ends the running turn with {@link FinishReason#CANCELLED}, which is not an error.
 */
public final class Agent implements AutoCloseable {

    private final RunningModel model;
    private final Listeners<AgentListener> listeners;
    private final Conversation conversation;
    private final KeptExchanges kept = new KeptExchanges();
    private final Object turnLock = new Object();
    /** Guarded by turnLock. */
    private final BackendCosts costs;
    private volatile Cancellation current;
    private volatile boolean closed;

    private Agent(RunningModel model, Listeners<AgentListener> listeners, Conversation conversation) {
        this.model = model;
        this.conversation = conversation;
        this.listeners = listeners;
        this.costs = new BackendCosts(model, conversation, kept);
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
     * whole at the end. On failure the conversation stays as it was and the error is thrown; when
     * the backend died, the next question starts the model again (see {@link Recovery}).
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
            Cancellation cancellation = new Cancellation();
            current = cancellation;
            KeptExchanges.Snapshot start = kept.snapshot();
            Turn turn = new Turn(model, conversation, costs::of, this::publish, ChatMessage.user(userText),
                    start.exchanges(), sink, cancellation);
            try {
                // A cancelled turn is kept too (what was said up to the cancel, calls and results
                // included): the model should know what it already told the user.
                ChatResponse response = turn.run();
                int droppedMessages = kept.finish(start, turn.drop(), turn.messages(), turn.costs());
                publish(new AgentEvent.TurnFinished(response, droppedMessages));
                return response;
            } catch (ChatException e) {
                // A dead backend was already reported by the model (Degraded); the turn is reported here.
                publish(new AgentEvent.TurnFailed(e));
                throw e;
            } finally {
                current = null;
                costs.afterTurn();
            }
        }
    }

    /** Cancels the running turn, if any. Safe from any thread, listeners included; a no-op when idle. */
    public void cancel() {
        Cancellation c = current;
        if (c != null) {
            c.cancel();
        }
    }

    /**
     * The conversation the model still sees (without the system prompt), oldest first: each
     * question, the tool calls and results it led to, and its answer. Exchanges trimmed to fit the
     * context are forgotten and not listed.
     */
    public List<ChatMessage> history() {
        return kept.messages();
    }

    /** Forgets the conversation; the model keeps running. */
    public void reset() {
        kept.reset();
    }

    /** Which backend serves which model (after a recovery, the one that serves now). */
    public SessionInfo info() {
        return model.info();
    }

    /** Every backend the fallback chain considered at the latest start or restart, in order. */
    public List<Attempt> attempts() {
        return model.attempts();
    }

    /** Adds a listener after start (start events are only seen by listeners given to the builder). */
    public void subscribe(AgentListener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    /** Removes a listener. */
    public void unsubscribe(AgentListener listener) {
        listeners.remove(listener);
    }

    /** Cancels a running turn and closes the model (its container stops). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cancel();
        model.close();
    }

    private void publish(AgentEvent event) {
        listeners.publish(event, AgentListener::onEvent);
    }

    /**
     * Configures and starts an {@link Agent}: the start options of a {@link RunningModel.Builder}
     * (same names, same defaults: these methods forward to one; the settings at {@link #start()}, where
     * the conversation's own keys are read from them too) plus the conversation's own.
     * Not thread-safe.
     */
    public static final class Builder {
        private final RunningModel.Builder model = RunningModel.builder();
        private String systemPrompt = "";
        private int maxTokens = 256;
        private OptionalDouble temperature = OptionalDouble.empty();
        private TrimPolicy trimPolicy;
        private Settings settings;
        private final List<AgentListener> listeners = new ArrayList<>();
        private final List<AgentTool> tools = new ArrayList<>();
        private int maxToolSteps = 4;
        private int maxReasks = 1;

        private Builder() {
        }

        /** The configuration; default: {@link Configuration#processDefault()} (loaded once per process, shared). */
        public Builder settings(Settings s) { this.settings = Objects.requireNonNull(s); return this; }
        /** The catalog model to run ({@code llama}, {@code phi-3}, {@code gemma}, {@code demo}, or one of yours). */
        public Builder model(String id) { model.model(id); return this; }
        /** A spec to run instead of a catalog model. */
        public Builder spec(ModelSpec s) { model.spec(s); return this; }
        /** Force one backend by id instead of discovery order. */
        public Builder backend(String id) { model.backend(id); return this; }
        /** What to do after the backend dies; default {@code snowcrash.agent.recovery}, else {@link Recovery#RESTART}. */
        public Builder recovery(Recovery r) { model.recovery(r); return this; }

        /** Whether to move back to a preferred backend once it serves again; default {@code snowcrash.agent.fail-back}, else off. */
        public Builder failBack(FailBack f) { model.failBack(f); return this; }
        /** Use these discovered backends instead of discovering (tests, embedding). */
        public Builder discovery(Discovery d) { model.discovery(d); return this; }
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
        /** How to make room when the context is full; default {@code snowcrash.agent.trim-policy}, else {@link TrimPolicy#CACHE_AWARE}. */
        public Builder trimPolicy(TrimPolicy p) { this.trimPolicy = Objects.requireNonNull(p); return this; }
        /** Sampling temperature (the backend's default when unset). */
        public Builder temperature(double t) { this.temperature = OptionalDouble.of(t); return this; }
        /**
         * A tool the model may call (offered with every question, so the tools stay in the
         * prompt's cached beginning). A model started through the builder must run on a backend
         * that honours tools; the fallback chain skips, with a reason, one that does not.
         */
        public Builder tool(AgentTool t) { this.tools.add(Objects.requireNonNull(t)); return this; }
        /** Several tools; see {@link #tool}. */
        public Builder tools(List<? extends AgentTool> ts) { ts.forEach(this::tool); return this; }
        /**
         * The most rounds of tool calls in one turn (default 4); after that the model is asked to
         * answer without tools, so a model that keeps calling cannot loop for ever.
         */
        public Builder maxToolSteps(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("maxToolSteps must not be negative");
            }
            this.maxToolSteps = n;
            return this;
        }
        /**
         * How often one turn asks the model again after an answer that breaks the request (a call
         * whose arguments do not validate); default 1. After that the turn fails with
         * {@link ChatFailure.InvalidAnswer}. An invalid call is never run.
         */
        public Builder maxReasks(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("maxReasks must not be negative");
            }
            this.maxReasks = n;
            return this;
        }
        /** A listener that also sees the start events; see {@link AgentListener} for its contract. */
        public Builder listener(AgentListener l) { this.listeners.add(Objects.requireNonNull(l)); return this; }

        /**
         * Validates the model, starts it on the first backend that can, and returns the agent;
         * throws as {@link RunningModel.Builder#start()} does.
         */
        public Agent start() {
            // Read once here, so a bad trim policy is reported before any model starts.
            Settings s = settings != null ? settings : Configuration.processDefault();
            TrimPolicy policy = trimPolicy != null ? trimPolicy : TrimPolicy.configured(s);
            Toolbox toolbox = new Toolbox(tools);
            model.settings(s);
            if (!toolbox.isEmpty()) {
                model.needs(java.util.EnumSet.of(org.snowcrash.api.Capability.TOOLS));
            }
            Listeners<AgentListener> ls = new Listeners<>(listeners);
            EventSink bridge = event -> ls.publish(new AgentEvent.Lifecycle(event), AgentListener::onEvent);
            return new Agent(model.start(List.of(bridge)), ls,
                    new Conversation(systemPrompt, maxTokens, temperature, policy, toolbox, maxToolSteps, maxReasks));
        }
    }

    @Override
    public String toString() {
        return "Agent[" + model.info() + ", " + history().size() + " messages]";
    }
}
