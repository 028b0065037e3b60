package org.snowcrash.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * A backend with a deterministic tokenizer and a chat template of the usual shape, which counts
 * how often it is asked to tokenize: a prompt is BOS (1 token), then per message 3 tokens of
 * template plus one token per word, then the generation prompt (2 tokens). It answers with
 * {@code maxTokens} one-token words and reports the exact prompt count as usage, as llama-server
 * and llama.cpp do. Requests are recorded. Optionally the template adds {@code surprise} tokens to
 * any prompt of three messages or more, which a sum of per-message counts cannot see.
 */
final class TemplateFake implements LlmBackend {

    final AtomicInteger countCalls = new AtomicInteger();
    final List<ChatRequest> requests = new CopyOnWriteArrayList<>();
    final List<Usage> usages = new CopyOnWriteArrayList<>();
    final int surprise;
    /** When set, the template rejects prompts the way a server does when they exceed the context. */
    final boolean enforceContext;
    private final String id;
    private final int priority;
    /** Tokens per word: another tokenizer. */
    private final int perWord;
    /** When set, every request fails as if the server had died. */
    volatile boolean dead;

    TemplateFake(int surprise, boolean enforceContext) {
        this("llamacpp", 10, 1, surprise, enforceContext);
    }

    TemplateFake(String id, int priority, int perWord, int surprise, boolean enforceContext) {
        this.id = id;
        this.priority = priority;
        this.perWord = perWord;
        this.surprise = surprise;
        this.enforceContext = enforceContext;
    }

    static int tokens(List<ChatMessage> messages, int surprise) {
        return tokens(messages, surprise, 1);
    }

    static int tokens(List<ChatMessage> messages, int surprise, int perWord) {
        int n = 1 + 2;
        for (ChatMessage m : messages) {
            n += 3 + perWord * words(m.content());
        }
        return n + (messages.size() >= 3 ? surprise : 0);
    }

    private static int words(String s) {
        String t = s.strip();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
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
    public Availability availability(BackendContext context) {
        return Availability.available();
    }

    @Override
    public ModelSession start(ModelSpec spec, BackendContext context) {
        SessionInfo info = new SessionInfo(id(), spec.id(), spec.contextSize(), "template fake");
        return new ModelSession() {
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
                if (dead) {
                    throw new ChatException(id(), "fake", new ChatFailure.BackendGone("connection refused"));
                }
                int prompt = tokens(request.messages(), surprise, perWord);
                if (enforceContext && prompt >= spec.contextSize()) {
                    throw new ChatException(id(), "fake", new ChatFailure.ContextOverflow(prompt, spec.contextSize()));
                }
                requests.add(request);
                List<String> words = new ArrayList<>();
                for (int i = 0; i < request.maxTokens(); i++) {
                    String w = (i == 0 ? "" : " ") + "w" + (i % 10);
                    sink.accept(w);
                    words.add(w);
                }
                Usage u = new Usage(prompt, words.size());
                usages.add(u);
                return new ChatResponse(String.join("", words), FinishReason.LENGTH, u, Duration.ofMillis(1));
            }

            @Override
            public int countPromptTokens(List<ChatMessage> messages) {
                if (dead) {
                    throw new ChatException(id(), "fake", new ChatFailure.BackendGone("connection refused"));
                }
                countCalls.incrementAndGet();
                return tokens(messages, surprise, perWord);
            }

            @Override
            public boolean isAlive() {
                return !dead;
            }

            @Override
            public void close() {
            }
        };
    }
}
