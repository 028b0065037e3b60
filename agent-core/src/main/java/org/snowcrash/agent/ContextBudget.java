package org.snowcrash.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;

/**
 * Keeps a request inside the model's context window: the prompt plus the tokens to generate
 * must fit. Drops the oldest turns first (the system prompt and the newest user message are
 * always kept); when even that is too long for the full answer, shortens the answer; when the
 * prompt alone does not fit, refuses with {@link ChatFailure.ContextOverflow}.
 */
final class ContextBudget {

    /**
     * The outcome of fitting: the messages to send, the token limit, what was dropped, and the
     * prompt's exact token count (-1 when the prompt surely fits and was not counted).
     */
    record Fit(List<ChatMessage> messages, int maxTokens, int dropped, int promptTokens) {
    }

    /** Thrown when nothing can make the request fit. */
    static final class Overflow extends Exception {
        private static final long serialVersionUID = 1L;
        final transient ChatFailure.ContextOverflow failure;

        Overflow(ChatFailure.ContextOverflow failure) {
            super(failure.describe());
            this.failure = failure;
        }
    }

    private ContextBudget() {
    }

    static Fit fit(List<ChatMessage> messages, int contextSize, int maxTokens, ToIntFunction<List<ChatMessage>> counter)
            throws Overflow {
        List<ChatMessage> m = new ArrayList<>(messages);
        if (upperBound(m) + maxTokens <= contextSize) {
            // Surely fits: skip the exact count, which costs a tokenizer round trip per turn.
            return new Fit(m, maxTokens, 0, -1);
        }
        int dropped = 0;
        int prompt = counter.applyAsInt(m);
        while (prompt + maxTokens > contextSize && droppable(m) > 0) {
            int first = m.get(0).role() == ChatMessage.Role.SYSTEM ? 1 : 0;
            // Drop a whole exchange (user + assistant) so the model never sees an answer without its question.
            m.remove(first);
            dropped++;
            if (m.size() > first + 1 && m.get(first).role() == ChatMessage.Role.ASSISTANT) {
                m.remove(first);
                dropped++;
            }
            prompt = counter.applyAsInt(m);
        }
        if (prompt >= contextSize) {
            throw new Overflow(new ChatFailure.ContextOverflow(prompt, contextSize));
        }
        return new Fit(m, Math.min(maxTokens, contextSize - prompt), dropped, prompt);
    }

    /**
     * More tokens than the prompt can take: no tokenizer makes more tokens than bytes (byte
     * fallback is the worst case; special tokens are shorter than their text), plus generous room
     * for what a chat template adds around each message and at the start.
     */
    static long upperBound(List<ChatMessage> messages) {
        long bytes = 256;
        for (ChatMessage msg : messages) {
            bytes += msg.content().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 64;
        }
        return bytes;
    }

    /** Messages that may go: everything but the system prompt and the last message. */
    private static int droppable(List<ChatMessage> m) {
        int fixed = 1 + (m.get(0).role() == ChatMessage.Role.SYSTEM ? 1 : 0);
        return Math.max(0, m.size() - fixed);
    }
}
