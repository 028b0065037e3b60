package org.snowcrash.agent;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.snowcrash.agent.internal.Listeners;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ToolSpec;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.EventSink;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.SessionInfo;
import org.snowcrash.api.Settings;
import org.snowcrash.api.TokenSink;
import org.snowcrash.registry.Configuration;
import org.snowcrash.registry.Discovery;

/**
 * One started model, whatever serves it: the runtime every front end builds on (the {@link Agent}'s
 * conversation, the LangChain4j models, a server or a pool of models).
 *
 * <pre>{@code
 * try (RunningModel model = RunningModel.builder().model("llama").listener(viewer::show).start()) {
 *     ChatResponse r = model.stream(ChatRequest.of(messages, 128), piece -> out.print(piece), new Cancellation());
 * }
 * }</pre>
 *
 * <p>It owns four things and nothing else:
 * <ul>
 *   <li><b>the start</b>: {@link Builder#start()} validates the model, tries the backends in
 *       priority order and keeps every {@linkplain #attempts() attempt};</li>
 *   <li><b>recovery</b>: when a request finds the backend dead ({@link ChatFailure.BackendGone}
 *       or {@link ChatFailure.Timeout}), that request fails, listeners get one
 *       {@link LifecycleEvent.Degraded}, and the next request starts the model again as the
 *       {@link Recovery} policy says (the dead session is closed first, so its name and port are
 *       free), publishing the whole start again ({@code Starting} ... {@code ServedBy});</li>
 *   <li><b>fail-back</b>, when switched on ({@link FailBack}): served by a lower backend than the
 *       first in try order, it starts the preferred ones again in the background now and then, and
 *       moves the next requests there when one starts;</li>
 *   <li><b>the events</b>: every {@link LifecycleEvent} of starts, restarts, fail-backs and close
 *       goes to its listeners.</li>
 * </ul>
 * It keeps no conversation and sends requests as they are.
 *
 * <p><b>Threads.</b> Thread-safe. Requests from several threads run at once on the backend's
 * session (which serializes them only where its runtime must), each with its own
 * {@link Cancellation}; cancelling one never touches another. After a death, callers that
 * arrive together wait for one restart and then all use it. {@link #close()} may be called from
 * any thread at any time and never waits for a restart or a fail-back in progress (that restart's
 * new session is closed as soon as it is up; a fail-back's start is interrupted, and a session it
 * still made is closed). A fail-back moves the model between requests: the calls that count
 * prompt tokens never start one, so an agent's turn is planned and sent on one backend.
 *
 * <p><b>Listener contract</b> (as for OkHttp's {@code EventListener}): an {@link EventSink} is
 * called on the thread doing the work (the starting or requesting thread, or the fail-back
 * thread {@code snowcrash-fail-back-<model>}), so it must be quick;
 * it must not throw (an exception is logged and ignored, it never reaches a caller); and it must
 * not call back into this model synchronously (no request, no close from inside a listener: a
 * listener runs while a restart holds the restart lock). Hand such work to another thread.
 */
public final class RunningModel implements AutoCloseable {

    private final Listeners<EventSink> listeners;
    private final AtomicReference<ModelState> state;
    private final FailBackWorker failBack;
    private final ServingCalls calls;

    private RunningModel(StartPlan plan, Recovery recovery, FailBack failBack, Listeners<EventSink> listeners, Launch first,
                         Clock clock) {
        this.listeners = listeners;
        this.state = new AtomicReference<>(new ModelState.Serving(first, clock.instant()));
        Set<String> died = ConcurrentHashMap.newKeySet();
        this.failBack = new FailBackWorker(plan, failBack, state, died, this::publish, clock);
        this.calls = new ServingCalls(new Restarter(plan, recovery, state, died, this::publish, clock), this.failBack);
    }

    /** A builder; nothing starts until {@link Builder#start()}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Answers a request and returns the whole response. Blocks until done; restarts the model
     * first when it died earlier.
     *
     * @throws ChatException when the request fails ({@link ChatFailure.Closed} after {@link #close()};
     *                       {@link ChatFailure.BackendGone} when the backend died, now or earlier and
     *                       could not be started again)
     */
    public ChatResponse chat(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        return calls.run(serving -> RequestGuard.checked(request, serving.capabilities(), serving.session(),
                () -> serving.session().chat(request)).withServedBy(serving.session().info()), true);
    }

    /**
     * Answers a request, handing text to {@code sink} as it is generated on the calling thread,
     * and returns the whole response. Blocks until done; restarts the model first when it died
     * earlier. {@link Cancellation#cancel()} from any thread ends this request (and only it) with
     * {@link org.snowcrash.api.FinishReason#CANCELLED}, which is not a failure.
     *
     * @throws ChatException as {@link #chat}, or {@link ChatFailure.SinkFailed} when {@code sink} threw
     */
    public ChatResponse stream(ChatRequest request, TokenSink sink, Cancellation cancellation) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(cancellation, "cancellation");
        return calls.run(serving -> RequestGuard.checked(request, serving.capabilities(), serving.session(),
                () -> serving.session().stream(request, sink, cancellation)).withServedBy(serving.session().info()), true);
    }

    /**
     * The tokens these messages take as a prompt, counted by the serving backend's own tokenizer.
     * Blocks for a round trip at most; restarts the model first when it died earlier.
     *
     * @throws ChatException as {@link #chat}
     */
    public int countPromptTokens(List<ChatMessage> messages) {
        Objects.requireNonNull(messages, "messages");
        // Never starts a fail-back: an agent counts, plans its budget for this backend, then asks;
        // a move between the two would send the request to a backend it was not planned for.
        return calls.run(serving -> serving.session().countPromptTokens(messages), false);
    }

    /**
     * The tokens these messages take as a prompt with these tools offered, as the serving backend
     * renders the tools. As {@link #countPromptTokens(List)} otherwise.
     *
     * @throws ChatException as {@link #chat}
     */
    public int countPromptTokens(List<ChatMessage> messages, List<ToolSpec> tools) {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(tools, "tools");
        return calls.run(serving -> serving.session().countPromptTokens(messages, tools), false);
    }

    /** What the serving backend honours beyond plain chat (tools, JSON schema, ...). Never blocks. */
    public Set<Capability> capabilities() {
        return ModelState.last(state.get()).capabilities();
    }

    /** Which backend serves the model (after a restart, the one that serves now). Never blocks. */
    public SessionInfo info() {
        return ModelState.last(state.get()).session().info();
    }

    /**
     * Whether its backend died and it has not been started again yet (the next request restarts
     * it, see {@link Recovery}). Never blocks: what a listing shows as degraded.
     */
    public boolean isDown() {
        return state.get() instanceof ModelState.Down;
    }

    /** Every backend considered at the latest start or restart, in try order. Never blocks. */
    public List<Attempt> attempts() {
        return ModelState.last(state.get()).attempts();
    }

    /** Adds a listener for later events (start events are only seen by listeners given to the builder). */
    public void subscribe(EventSink listener) {
        listeners.add(listener);
    }

    /** Removes a listener; a no-op when it was not subscribed. */
    public void unsubscribe(EventSink listener) {
        listeners.remove(listener);
    }

    /**
     * Closes the session (its container is removed) and publishes {@link LifecycleEvent.Stopped}.
     * Requests running now fail or end; later ones fail with {@link ChatFailure.Closed}. Idempotent;
     * never throws.
     */
    @Override
    public void close() {
        ModelState before;
        synchronized (failBack.moveLock) {
            before = state.getAndUpdate(s -> s instanceof ModelState.Closed ? s : new ModelState.Closed(ModelState.last(s)));
        }
        if (before instanceof ModelState.Closed) {
            return;
        }
        failBack.abandon();
        SessionInfo info = ModelState.last(before).session().info();
        ModelState.last(before).session().close();
        publish(new LifecycleEvent.Stopped(info.backendId(), info.modelId()));
    }

    private void publish(LifecycleEvent event) {
        listeners.publish(event, EventSink::publish);
    }

    @Override
    public String toString() {
        return "RunningModel[" + info() + ", " + state.get().getClass().getSimpleName() + "]";
    }

    /**
     * What to start and how: the start options every front end shares (the {@link Agent.Builder}
     * forwards to one of these). Not thread-safe; {@link #start()} may be called more than once,
     * each call starting a model of its own.
     */
    public static final class Builder {
        private Settings settings;
        private String modelId;
        private ModelSpec spec;
        private String backendId;
        private Discovery discovery;
        private Recovery recovery;
        private FailBack failBack;
        private Set<Capability> needs = Set.of();
        private final List<EventSink> listeners = new ArrayList<>();
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** The configuration; default: {@link Configuration#processDefault()} (loaded once per process, shared). */
        public Builder settings(Settings s) { this.settings = Objects.requireNonNull(s); return this; }

        /** The catalog model to run ({@code llama}, {@code phi-3}, {@code gemma}, {@code demo}, or one configured). */
        public Builder model(String id) { this.modelId = Objects.requireNonNull(id); return this; }

        /** A spec to run instead of a catalog model. */
        public Builder spec(ModelSpec s) { this.spec = Objects.requireNonNull(s); return this; }

        /** Force one backend by id instead of discovery order (tried even when disabled in configuration). */
        public Builder backend(String id) { this.backendId = Objects.requireNonNull(id); return this; }

        /** Use these discovered backends instead of discovering (tests, embedding, a pool that discovers once). */
        public Builder discovery(Discovery d) { this.discovery = Objects.requireNonNull(d); return this; }

        /** What to do after the backend dies; default {@code snowcrash.agent.recovery}, else {@link Recovery#RESTART}. */
        public Builder recovery(Recovery r) { this.recovery = Objects.requireNonNull(r); return this; }

        /** Whether to move back to a preferred backend once it can serve again; default {@code snowcrash.agent.fail-back}, else off. */
        public Builder failBack(FailBack f) { this.failBack = Objects.requireNonNull(f); return this; }

        /**
         * What the requests will need (tools, a JSON schema): backends that do not declare it are
         * skipped at start and at every restart, with the reason in {@link #attempts()}. Default: nothing.
         */
        public Builder needs(Set<Capability> n) { this.needs = Set.copyOf(n); return this; }

        /** The clock fail-back's interval is read from; default the system's (tests move a manual one). */
        public Builder clock(Clock c) { this.clock = Objects.requireNonNull(c); return this; }

        /** A listener that also sees the start events; see the listener contract on {@link RunningModel}. */
        public Builder listener(EventSink l) { this.listeners.add(Objects.requireNonNull(l)); return this; }

        /**
         * Validates the model, starts it on the first backend that can, and returns it. Blocks
         * until the model answers or every backend failed.
         *
         * @throws InvalidModelException     when the model file is unusable (no backend was tried)
         * @throws NoBackendStartedException when no backend started it (the message lists every attempt)
         * @throws InterruptedStartException when the calling thread was interrupted
         * @throws org.snowcrash.registry.UnknownBackendException when {@link #backend} names no discovered backend
         * @throws org.snowcrash.models.UnknownModelException when the model id is not in the catalog
         * @throws org.snowcrash.api.ConfigurationException when configuration values are wrong
         * @throws IllegalStateException     when neither {@link #model} nor {@link #spec} was set
         */
        public RunningModel start() {
            return start(List.of());
        }

        /** Starts with these listeners in front of the builder's (a front end's own bridge). */
        RunningModel start(List<EventSink> more) {
            Settings s = settings != null ? settings : Configuration.processDefault();
            StartPlan plan = StartPlan.resolve(s, discovery, backendId, spec, modelId, needs);
            Recovery r = recovery != null ? recovery : Recovery.configured(s);
            FailBack f = failBack != null ? failBack : FailBack.configured(s);
            List<EventSink> every = new ArrayList<>(more);
            every.addAll(listeners);
            Listeners<EventSink> ls = new Listeners<>(every);
            // The first start publishes to the same list as later restarts, so a listener sees both alike.
            Launch first = plan.launch(event -> ls.publish(event, EventSink::publish));
            return new RunningModel(plan, r, f, ls, first, clock);
        }
    }
}
