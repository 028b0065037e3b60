package org.snowcrash.agent;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.ToIntFunction;

import org.snowcrash.api.ChatMessage;

/**
 * What the parts of a conversation cost in prompt tokens, counted by the backend's own tokenizer
 * (through {@code countPromptTokens}) once per part and remembered by the caller, so a turn costs a
 * constant number of tokenizer calls however long the conversation is.
 *
 * <p>A chat template wraps each message in a few tokens of its own and adds some to every prompt
 * (BOS, a preamble, the generation prompt). A question alone counts {@code B + U}, a question with
 * its answer {@code B + U + A}, where {@code B} is that per-prompt part; so a prompt of a system
 * prompt, kept exchanges and a question costs {@code B + S + Σ(U + A) + U}. {@code B} and the
 * system prompt's {@code S} are measured once, the first time they are needed, with three or four
 * calls on short probe conversations that every template accepts (they start with a user message
 * and alternate). Templates where the sum is not exact (one that folds the system prompt into the
 * first question, for instance) are caught by {@link #observe}: the backend reports how many tokens
 * a sent prompt really had, and the most the sum ever fell short is added to every later estimate.
 *
 * <p>Tied to one backend's tokenizer: the agent makes a new one when another backend serves.
 * Not thread-safe; the agent uses it inside its turn lock.
 */
final class PromptCosts {

    /** A question and an answer every chat template renders. */
    private static final ChatMessage PROBE_QUESTION = ChatMessage.user("hi");
    private static final ChatMessage PROBE_ANSWER = ChatMessage.assistant("ok");
    /** More than a template adds around one message (used only when the backend cannot count). */
    private static final int WRAPPER_BOUND = 64;

    private final ToIntFunction<List<ChatMessage>> counter;
    private final String systemPrompt;
    private int base = -1;
    private int system;
    private int margin;

    /**
     * @param counter      the backend's prompt counter ({@code countPromptTokens}, with the agent's
     *                     tools offered, so their cost is part of every prompt's fixed part); may throw
     *                     {@link org.snowcrash.api.ChatException}
     * @param systemPrompt the agent's system prompt, empty for none
     */
    PromptCosts(ToIntFunction<List<ChatMessage>> counter, String systemPrompt) {
        this.counter = counter;
        this.systemPrompt = systemPrompt;
    }

    /** What a new question adds to a prompt. One tokenizer call (plus the calibration the first time). */
    int question(ChatMessage question) {
        calibrate();
        return Math.max(0, counter.applyAsInt(List.of(question)) - base);
    }

    /** What a kept exchange adds to a prompt. One tokenizer call (plus the calibration the first time). */
    int exchange(ChatMessage question, ChatMessage answer) {
        return exchange(List.of(question, answer));
    }

    /**
     * What a kept exchange adds to a prompt when it is more than a question and an answer: the
     * question, the model's tool calls and their results, the answer (or, within a turn, the part
     * so far). One tokenizer call (plus the calibration the first time).
     */
    int exchange(List<ChatMessage> messages) {
        calibrate();
        return Math.max(0, counter.applyAsInt(messages) - base);
    }

    /**
     * More than an exchange can cost, without asking the backend: for when it cannot be asked
     * (no tokenizer makes more tokens than bytes; byte fallback is the worst case).
     */
    static int exchangeBound(ChatMessage question, ChatMessage answer) {
        return exchangeBound(List.of(question, answer));
    }

    /** {@link #exchangeBound(ChatMessage, ChatMessage)} for an exchange of any messages. */
    static int exchangeBound(List<ChatMessage> messages) {
        long bytes = 0;
        for (ChatMessage m : messages) {
            bytes += m.content().getBytes(StandardCharsets.UTF_8).length + (long) WRAPPER_BOUND;
            for (var call : m.toolCalls()) {
                bytes += call.name().length() + call.arguments().getBytes(StandardCharsets.UTF_8).length + (long) WRAPPER_BOUND;
            }
        }
        return (int) Math.min(Integer.MAX_VALUE / 4, bytes);
    }

    /** What every prompt costs besides its exchanges and question: template, system prompt, learned margin. */
    int fixed() {
        calibrate();
        return base + system + margin;
    }

    /**
     * Learns from the backend's own count of a prompt that was sent (its usage, or the size it
     * refused): when the sum of the parts fell short, later estimates add the difference.
     *
     * @param estimated what the costs said the prompt would take ({@code fixed()} included)
     * @param actual    what the backend counted; ignored when not positive (it could not say)
     */
    void observe(int estimated, int actual) {
        if (actual > 0 && actual > estimated) {
            margin += actual - estimated;
        }
    }

    /** The learned margin, for tests and logs. */
    int margin() {
        return margin;
    }

    private void calibrate() {
        if (base >= 0) {
            return;
        }
        int q = counter.applyAsInt(List.of(PROBE_QUESTION));
        int qa = counter.applyAsInt(List.of(PROBE_QUESTION, PROBE_ANSWER));
        int qaq = counter.applyAsInt(List.of(PROBE_QUESTION, PROBE_ANSWER, PROBE_QUESTION));
        // q = B + U, qa = B + U + A, qaq = B + 2U + A.
        int b = Math.max(0, q + qa - qaq);
        int s = systemPrompt.isEmpty() ? 0
                : Math.max(0, counter.applyAsInt(List.of(ChatMessage.system(systemPrompt), PROBE_QUESTION)) - q);
        system = s;
        base = b;
    }
}
