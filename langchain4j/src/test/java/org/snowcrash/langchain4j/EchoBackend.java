package org.snowcrash.langchain4j;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.snowcrash.api.Availability;
import org.snowcrash.api.BackendContext;
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
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.Usage;

/**
 * A backend whose sessions answer "echo" and the words of the last message, one piece per word,
 * and can be made to fail: for the failure modes no real backend produces on demand.
 */
final class EchoBackend implements LlmBackend {

    final AtomicInteger starts = new AtomicInteger();
    volatile Session last;

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
