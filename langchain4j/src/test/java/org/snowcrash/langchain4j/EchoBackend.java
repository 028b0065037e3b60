package org.snowcrash.langchain4j;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.snowcrash.api.Availability;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.Capability;
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
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolCallDelta;
import org.snowcrash.api.Usage;

/**
 * A backend whose sessions answer "echo" and the words of the last message, one piece per word,
 * and can be made to fail: for the failure modes no real backend produces on demand. It can also
 * declare capabilities and be given the next answers (text, calls, reasoning), streamed piece by
 * piece as a real backend streams them: for the shapes of the tool mapping, not for what a model does.
 */
final class EchoBackend implements LlmBackend {

    final AtomicInteger starts = new AtomicInteger();
    volatile Session last;
    private final Set<Capability> capabilities;

    /** A backend that honours nothing beyond plain chat. */
    EchoBackend() {
        this(Set.of());
    }

    /** A backend that declares these capabilities. */
    EchoBackend(Set<Capability> capabilities) {
        this.capabilities = Set.copyOf(capabilities);
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public String id() {
        return "echo";
    }

    @Override
    public int defaultPriority() {
        return 0;
    }

    @Override
    public Availability availability(BackendContext context) {
        return Availability.available();
    }

    @Override
    public ModelSession start(ModelSpec spec, BackendContext context) {
        starts.incrementAndGet();
        last = new Session(spec);
        return last;
    }

    static final class Session implements ModelSession {
        private final SessionInfo info;
        volatile ChatRequest lastRequest;
        /** Every request answered, in order. */
        final List<ChatRequest> requests = new CopyOnWriteArrayList<>();
        /** Answers to give instead of the echo, in order, each streamed as a backend streams it. */
        final Queue<ChatResponse> script = new ConcurrentLinkedQueue<>();
        /** Every request fails as if the container had died. */
        volatile boolean dead;
        /** The next request fails this way. */
        volatile ChatFailure failNext;
        volatile boolean closed;

        Session(ModelSpec spec) {
            this.info = new SessionInfo("echo", spec.id(), spec.contextSize(), "echo");
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
            if (closed) {
                throw new ChatException("echo", "model " + info.modelId(), new ChatFailure.Closed());
            }
            if (dead) {
                throw new ChatException("echo", "model " + info.modelId(), new ChatFailure.BackendGone("connection refused"));
            }
            ChatFailure f = failNext;
            if (f != null) {
                failNext = null;
                throw new ChatException("echo", "model " + info.modelId(), f);
            }
            lastRequest = request;
            requests.add(request);
            ChatResponse scripted = script.poll();
            if (scripted != null) {
                return play(scripted, sink);
            }
            String[] words = ("echo " + request.messages().get(request.messages().size() - 1).content()).split(" ");
            StringBuilder text = new StringBuilder();
            int n = 0;
            for (String w : words) {
                if (n == request.maxTokens()) {
                    return new ChatResponse(text.toString(), FinishReason.LENGTH, new Usage(3, n), Duration.ofMillis(1));
                }
                if (cancellation.isCancelled()) {
                    return new ChatResponse(text.toString(), FinishReason.CANCELLED, new Usage(3, n), Duration.ofMillis(1));
                }
                String piece = (n == 0 ? "" : " ") + w;
                text.append(piece);
                sink.accept(piece);
                n++;
            }
            return new ChatResponse(text.toString(), FinishReason.STOP, new Usage(3, n), Duration.ofMillis(1));
        }

        /** Streams a given answer: its reasoning, its text by word, each call's opening and its arguments in two halves. */
        private static ChatResponse play(ChatResponse answer, TokenSink sink) {
            if (!answer.reasoning().isEmpty()) {
                sink.reasoning(answer.reasoning());
            }
            for (String w : answer.text().split("(?<= )")) {
                if (!w.isEmpty()) {
                    sink.accept(w);
                }
            }
            for (int i = 0; i < answer.toolCalls().size(); i++) {
                ToolCall c = answer.toolCalls().get(i);
                int half = c.arguments().length() / 2;
                sink.toolCall(new ToolCallDelta(i, c.id(), c.name(), c.arguments().substring(0, half)));
                sink.toolCall(new ToolCallDelta(i, "", "", c.arguments().substring(half)));
            }
            return answer;
        }

        @Override
        public int countPromptTokens(List<ChatMessage> messages) {
            return 3;
        }

        @Override
        public boolean isAlive() {
            return !closed && !dead;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
