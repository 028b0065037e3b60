package org.snowcrash.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
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
import org.snowcrash.testkit.TinyLlama;

/** Fake backends and sessions for every failure mode that is hard to cause for real. */
final class Fakes {

    private Fakes() {
    }

    /** What a fake backend does when asked. */
    enum Mode { WORKS, UNAVAILABLE, NOT_CONFIGURED, START_FAILS, START_THROWS_RUNTIME, START_THROWS_LINKAGE, AVAILABILITY_THROWS, USER_ERROR }

    static final class Backend implements LlmBackend {
        final String id;
        final int priority;
        /** What the next availability check and start do; tests may change it between starts. */
        volatile Mode mode;
        final AtomicInteger starts = new AtomicInteger();
        /** The session this backend started last. */
        volatile Session last;
        /** The per-model keys it declares, as a third-party backend would. */
        volatile Set<String> modelSettings = Set.of();
        /** What it declares it honours. */
        volatile Set<org.snowcrash.api.Capability> capabilities = Set.of();

        Backend(String id, int priority, Mode mode) {
            this.id = id;
            this.priority = priority;
            this.mode = mode;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public int defaultPriority() {
            return priority;
        }

        @Override
        public Set<String> modelSettings() {
            return modelSettings;
        }

        @Override
        public Set<org.snowcrash.api.Capability> capabilities() {
            return capabilities;
        }

        @Override
        public Availability availability(BackendContext context) {
            switch (mode) {
                case UNAVAILABLE: return Availability.unavailable(id + " is not installed");
                case NOT_CONFIGURED: return Availability.notConfigured("set backend." + id + ".endpoints");
                case AVAILABILITY_THROWS: throw new IllegalStateException(id + " availability blew up");
                default: return Availability.available();
            }
        }

        @Override
        public ModelSession start(ModelSpec spec, BackendContext context) throws BackendStartException {
            starts.incrementAndGet();
            switch (mode) {
                case START_FAILS:
                    throw new BackendStartException(id, spec.id(), new StartFailure.Exited(1, true, List.of("boom line")));
                case START_THROWS_RUNTIME:
                    throw new IllegalStateException(id + " crashed");
                case START_THROWS_LINKAGE:
                    throw new UnsatisfiedLinkError(id + " native library missing");
                case USER_ERROR:
                    throw new BackendStartException(id, spec.id(), new StartFailure.ModelInvalid(spec.file(), "bad tensor"));
                default:
                    last = new Session(id, spec.id(), spec.contextSize());
                    return last;
            }
        }
    }

    /**
     * A session that answers with the words of the last user message, one piece per word, and
     * counts one token per character of the prompt, so budgets are easy to reason about.
     */
    static final class Session implements ModelSession {
        final SessionInfo info;
        volatile List<ChatMessage> lastMessages;
        volatile int lastMaxTokens;
        volatile boolean closed;
        volatile ChatFailure failNext;
        volatile boolean slow;
        /** When set, every request fails as if the container had died. */
        volatile boolean dead;
        /** When set, every request waits here first, so tests can hold several inside at once. */
        volatile java.util.concurrent.CyclicBarrier gate;
        /**
         * Answers to give instead of the echo, in order (tool calls, reasoning, text): a model's
         * choices cannot be scripted for real, so the tool loop's mechanics are tested on these.
         */
        final java.util.concurrent.ConcurrentLinkedDeque<ChatResponse> script = new java.util.concurrent.ConcurrentLinkedDeque<>();
        /** Every request this session received, in order. */
        final List<ChatRequest> requests = new java.util.concurrent.CopyOnWriteArrayList<>();

        Session(String backend, String model, int contextSize) {
            this.info = new SessionInfo(backend, model, contextSize, "fake");
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
            java.util.concurrent.CyclicBarrier g = gate;
            if (g != null) {
                try {
                    g.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("the other requests never came in: " + e, e);
                }
            }
            if (closed) {
                throw new ChatException(info.backendId(), "fake", new ChatFailure.Closed());
            }
            if (dead) {
                throw new ChatException(info.backendId(), "fake", new ChatFailure.BackendGone("connection refused"));
            }
            if (failNext != null) {
                ChatFailure f = failNext;
                failNext = null;
                throw new ChatException(info.backendId(), "fake", f);
            }
            lastMessages = request.messages();
            lastMaxTokens = request.maxTokens();
            requests.add(request);
            ChatResponse scripted = script.poll();
            if (scripted != null) {
                if (!scripted.reasoning().isEmpty()) {
                    sink.reasoning(scripted.reasoning());
                }
                if (!scripted.text().isEmpty()) {
                    sink.accept(scripted.text());
                }
                for (int i = 0; i < scripted.toolCalls().size(); i++) {
                    var call = scripted.toolCalls().get(i);
                    sink.toolCall(new org.snowcrash.api.ToolCallDelta(i, call.id(), call.name(), call.arguments()));
                }
                return new ChatResponse(scripted.text(), scripted.finishReason(),
                        new Usage(countPromptTokens(request.messages()), 1), Duration.ofMillis(1),
                        scripted.toolCalls(), scripted.reasoning());
            }
            String last = request.messages().get(request.messages().size() - 1).content();
            StringBuilder text = new StringBuilder();
            int n = 0;
            for (String w : ("echo " + last).split(" ")) {
                if (cancellation.isCancelled()) {
                    return new ChatResponse(text.toString(), FinishReason.CANCELLED, new Usage(1, n), Duration.ofMillis(1));
                }
                if (n == request.maxTokens()) {
                    return new ChatResponse(text.toString(), FinishReason.LENGTH, new Usage(1, n), Duration.ofMillis(1));
                }
                String piece = (n == 0 ? "" : " ") + w;
                text.append(piece);
                sink.accept(piece);
                n++;
                if (slow) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            return new ChatResponse(text.toString(), FinishReason.STOP, new Usage(countPromptTokens(request.messages()), n),
                    Duration.ofMillis(1));
        }

        @Override
        public int countPromptTokens(List<ChatMessage> messages) {
            return messages.stream().mapToInt(m -> m.content().length() + 4
                    + m.toolCalls().stream().mapToInt(c -> c.name().length() + c.arguments().length()).sum()).sum();
        }

        @Override
        public boolean isAlive() {
            return !closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** A spec whose file is a real (tiny) GGUF, so validation passes. */
    static ModelSpec spec(Path dir, int contextSize) throws IOException {
        Path file = dir.resolve("m.gguf");
        if (!java.nio.file.Files.exists(file)) {
            TinyLlama.demo().write(file);
        }
        return ModelSpec.builder("m", file).contextSize(contextSize).build();
    }
}
