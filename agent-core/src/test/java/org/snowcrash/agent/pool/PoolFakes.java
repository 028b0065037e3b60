package org.snowcrash.agent.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.snowcrash.api.Availability;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.LlmBackend;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.SessionInfo;
import org.snowcrash.api.StartFailure;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.Usage;

/**
 * A fake backend for the pool's tests, in the manner of agent-core's {@code Fakes}: it starts
 * sessions at once, answers {@code "<model> says: <last message>"}, and lets a test hold a
 * model's requests (or its start) inside the backend until it lets them go, so that "in flight"
 * and "starting" are states a test controls with latches, not with time.
 */
final class PoolFakes {

    private PoolFakes() {
    }

    /** Blocks the requests (or starts) of one model until {@link #release()}. */
    static final class Hold {
        private final Semaphore entered = new Semaphore(0);
        private final CountDownLatch released = new CountDownLatch(1);

        /** Waits until {@code n} requests (or starts) are inside, held. */
        void awaitEntered(int n) throws InterruptedException {
            if (!entered.tryAcquire(n, 10, TimeUnit.SECONDS)) {
                throw new AssertionError("only " + entered.availablePermits() + " of " + n + " arrived");
            }
        }

        /** Whether one more request (or start) came inside within {@code millis}. */
        boolean tryEntered(long millis) throws InterruptedException {
            return entered.tryAcquire(millis, TimeUnit.MILLISECONDS);
        }

        void release() {
            released.countDown();
        }

        void pass() {
            entered.release();
            try {
                if (!released.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("a held request was never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    static final class Backend implements LlmBackend {
        final Map<String, AtomicInteger> starts = new ConcurrentHashMap<>();
        /** The spec each model was last started with. */
        final Map<String, ModelSpec> specs = new ConcurrentHashMap<>();
        /** Sessions open now. */
        final Set<Session> open = ConcurrentHashMap.newKeySet();
        /** For every start, the models whose sessions were open right after it (itself included). */
        final List<Set<String>> openAfterStart = new CopyOnWriteArrayList<>();
        final Map<String, Hold> requestHolds = new ConcurrentHashMap<>();
        final Map<String, Hold> startHolds = new ConcurrentHashMap<>();
        /** Models whose start fails. */
        final Set<String> failing = ConcurrentHashMap.newKeySet();
        /** Models whose next request finds the backend gone (once each). */
        final Set<String> dying = ConcurrentHashMap.newKeySet();
        /** Models whose session was closed while a request was inside it: must stay empty. */
        final List<String> closedWhileBusy = new CopyOnWriteArrayList<>();

        @Override
        public String id() {
            return "fake";
        }

        @Override
        public int defaultPriority() {
            return 10;
        }

        @Override
        public Availability availability(BackendContext context) {
            return Availability.available();
        }

        @Override
        public ModelSession start(ModelSpec spec, BackendContext context) throws BackendStartException {
            starts.computeIfAbsent(spec.id(), k -> new AtomicInteger()).incrementAndGet();
            specs.put(spec.id(), spec);
            Hold h = startHolds.get(spec.id());
            if (h != null) {
                h.pass();
            }
            if (failing.contains(spec.id())) {
                throw new BackendStartException(id(), spec.id(), new StartFailure.Exited(1, false, List.of("no luck")));
            }
            Session s = new Session(this, spec.id());
            open.add(s);
            openAfterStart.add(openModels());
            return s;
        }

        int starts(String model) {
            AtomicInteger n = starts.get(model);
            return n == null ? 0 : n.get();
        }

        Set<String> openModels() {
            Set<String> ids = ConcurrentHashMap.newKeySet();
            open.forEach(s -> ids.add(s.info.modelId()));
            return ids;
        }

        Hold holdRequests(String model) {
            Hold h = new Hold();
            requestHolds.put(model, h);
            return h;
        }

        Hold holdStarts(String model) {
            Hold h = new Hold();
            startHolds.put(model, h);
            return h;
        }
    }

    static final class Session implements ModelSession {
        final Backend backend;
        final SessionInfo info;
        volatile boolean closed;
        final AtomicInteger inside = new AtomicInteger();

        Session(Backend backend, String model) {
            this.backend = backend;
            this.info = new SessionInfo("fake", model, 4096, "fake session of " + model);
        }

        @Override
        public SessionInfo info() {
            return info;
        }

        @Override
        public ChatResponse chat(ChatRequest request) {
            return stream(request, p -> { }, new Cancellation());
        }

        @Override
        public ChatResponse stream(ChatRequest request, TokenSink sink, Cancellation cancellation) {
            inside.incrementAndGet();
            try {
                return answer(request, sink, cancellation);
            } finally {
                inside.decrementAndGet();
            }
        }

        private ChatResponse answer(ChatRequest request, TokenSink sink, Cancellation cancellation) {
            Hold h = backend.requestHolds.get(info.modelId());
            if (h != null) {
                h.pass();
            }
            if (closed) {
                throw new ChatException("fake", info.modelId(), new ChatFailure.Closed());
            }
            if (backend.dying.remove(info.modelId())) {
                closed = true;
                throw new ChatException("fake", info.modelId(), new ChatFailure.BackendGone("the fake server went away"));
            }
            if (cancellation.isCancelled()) {
                return new ChatResponse("", FinishReason.CANCELLED, new Usage(1, 0), Duration.ofMillis(1));
            }
            String text = info.modelId() + " says: " + request.messages().get(request.messages().size() - 1).content();
            sink.accept(text);
            return new ChatResponse(text, FinishReason.STOP, new Usage(1, 1), Duration.ofMillis(1));
        }

        @Override
        public int countPromptTokens(List<ChatMessage> messages) {
            return messages.size();
        }

        @Override
        public boolean isAlive() {
            return !closed;
        }

        @Override
        public void close() {
            if (inside.get() > 0 && !closed) {
                backend.closedWhileBusy.add(info.modelId());
            }
            closed = true;
            backend.open.remove(this);
        }
    }


    static ChatRequest ask(String text) {
        return ChatRequest.of(List.of(ChatMessage.user(text)), 16);
    }

    static List<String> ids(List<? extends org.snowcrash.api.LifecycleEvent> events) {
        List<String> out = new ArrayList<>();
        for (org.snowcrash.api.LifecycleEvent e : events) {
            if (e instanceof org.snowcrash.api.LifecycleEvent.Unloaded u) {
                out.add(u.modelId());
            }
        }
        return out;
    }
}
