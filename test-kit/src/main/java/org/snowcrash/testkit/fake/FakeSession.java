package org.snowcrash.testkit.fake;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.SessionInfo;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolCallDelta;
import org.snowcrash.api.Usage;

/**
 * A session of a {@link FakeBackend}. A request first waits on the model's {@link Hold} if there
 * is one, then fails if the session is closed, dead, meant to die, or told to fail next, or (when
 * the backend enforces the context) if the prompt fills it; otherwise it is recorded and answered:
 * by the next scripted answer if any, else as the backend's {@link FakeBackend.Reply} says. Every
 * answer's prompt usage is the backend's {@link PromptCounter} count. Thread-safe.
 */
public final class FakeSession implements ModelSession {

    private final FakeBackend backend;
    private final SessionInfo info;
    private final Queue<ChatResponse> script = new ConcurrentLinkedQueue<>();
    private final List<ChatRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger inside = new AtomicInteger();
    private volatile ChatRequest lastRequest;
    private volatile ChatFailure failNext;
    private volatile boolean dead;
    private volatile boolean closed;

    FakeSession(FakeBackend backend, ModelSpec spec) {
        this.backend = backend;
        this.info = new SessionInfo(backend.id(), spec.id(), spec.contextSize(), "fake");
    }

    /**
     * Answers to give instead of the unscripted reply, in order: a model's choices (tool calls,
     * reasoning, text) cannot be scripted for real, so the mechanics around them are tested on
     * these. Each is streamed as a backend streams it: reasoning, text word by word, then each
     * call's opening and its arguments in two halves.
     */
    public FakeSession script(ChatResponse... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    /** The next request fails this way (once). */
    public void failNext(ChatFailure failure) {
        this.failNext = failure;
    }

    /** Whether every request (and prompt count) fails as if the server had died. */
    public void dead(boolean dead) {
        this.dead = dead;
    }

    /** Whether {@link #close()} was called. */
    public boolean closed() {
        return closed;
    }

    /** The last request it received, or null. */
    public ChatRequest lastRequest() {
        return lastRequest;
    }

    /** Every request it received, in order. */
    public List<ChatRequest> requests() {
        return List.copyOf(requests);
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
            throw failure(new ChatFailure.Closed());
        }
        if (dead) {
            throw failure(new ChatFailure.BackendGone("connection refused"));
        }
        if (backend.dying.remove(info.modelId())) {
            dead = true;
            throw failure(new ChatFailure.BackendGone("the fake server went away"));
        }
        ChatFailure f = failNext;
        if (f != null) {
            failNext = null;
            throw failure(f);
        }
        int prompt = backend.counter.count(request.messages());
        if (backend.enforceContext && prompt >= info.contextSize()) {
            throw failure(new ChatFailure.ContextOverflow(prompt, info.contextSize()));
        }
        lastRequest = request;
        requests.add(request);
        backend.requests.add(request);
        ChatResponse scripted = script.poll();
        ChatResponse r = scripted != null ? play(scripted, prompt, sink) : reply(request, prompt, sink, cancellation);
        backend.usages.add(r.usage());
        return r;
    }

    private ChatException failure(ChatFailure f) {
        return new ChatException(info.backendId(), "model " + info.modelId(), f);
    }

    private static ChatResponse play(ChatResponse answer, int prompt, TokenSink sink) {
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
        return new ChatResponse(answer.text(), answer.finishReason(), new Usage(prompt, answer.usage().completionTokens()),
                answer.elapsed(), answer.toolCalls(), answer.reasoning());
    }

    private ChatResponse reply(ChatRequest request, int prompt, TokenSink sink, Cancellation cancellation) {
        String lastMessage = request.messages().get(request.messages().size() - 1).content();
        return switch (backend.reply) {
            case ECHO -> pieces(("echo " + lastMessage).split(" "), request, prompt, sink, cancellation);
            case WORDS -> {
                String[] words = new String[request.maxTokens() + 1];
                for (int i = 0; i < words.length; i++) {
                    words[i] = "w" + (i % 10);
                }
                yield pieces(words, request, prompt, sink, cancellation);
            }
            case SAYS -> {
                if (cancellation.isCancelled()) {
                    yield new ChatResponse("", FinishReason.CANCELLED, new Usage(prompt, 0), Duration.ofMillis(1));
                }
                String text = info.modelId() + " says: " + lastMessage;
                sink.accept(text);
                yield new ChatResponse(text, FinishReason.STOP, new Usage(prompt, 1), Duration.ofMillis(1));
            }
        };
    }

    /** Streams these words one piece each, stopping at {@code maxTokens} or a cancellation. */
    private static ChatResponse pieces(String[] words, ChatRequest request, int prompt, TokenSink sink,
                                       Cancellation cancellation) {
        StringBuilder text = new StringBuilder();
        int n = 0;
        for (String w : words) {
            if (cancellation.isCancelled()) {
                return new ChatResponse(text.toString(), FinishReason.CANCELLED, new Usage(prompt, n), Duration.ofMillis(1));
            }
            if (n == request.maxTokens()) {
                return new ChatResponse(text.toString(), FinishReason.LENGTH, new Usage(prompt, n), Duration.ofMillis(1));
            }
            String piece = (n == 0 ? "" : " ") + w;
            text.append(piece);
            sink.accept(piece);
            n++;
        }
        return new ChatResponse(text.toString(), FinishReason.STOP, new Usage(prompt, n), Duration.ofMillis(1));
    }

    @Override
    public int countPromptTokens(List<ChatMessage> messages) {
        if (dead) {
            throw failure(new ChatFailure.BackendGone("connection refused"));
        }
        backend.countCalls.incrementAndGet();
        return backend.counter.count(messages);
    }

    @Override
    public boolean isAlive() {
        return !closed && !dead;
    }

    @Override
    public void close() {
        boolean busy = inside.get() > 0 && !closed;
        closed = true;
        backend.closed(this, busy);
    }
}
