package org.snowcrash.api;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A finished answer.
 *
 * @param text         the generated text (empty when the answer is only calls)
 * @param finishReason why generation ended; {@link FinishReason#TOOL_CALLS} when it ended in calls
 * @param usage        token counts, as the model's own tokenizer counted them
 * @param elapsed      wall time from request to the end of the answer
 * @param toolCalls    the calls the model made, in order, each with an id; empty for a text answer
 * @param reasoning    what a reasoning model thought before answering, kept apart from {@code text}
 *                     (a server's {@code reasoning_content}); empty when there was none
 * @param servedBy     the session that answered (backend, model, detail): set by the runtime that
 *                     ran the request ({@code RunningModel}, the pool), so a front end labels its
 *                     metrics and answers with where it ran without searching for it; empty
 *                     straight from a backend's session
 */
public record ChatResponse(String text, FinishReason finishReason, Usage usage, Duration elapsed,
                           List<ToolCall> toolCalls, String reasoning, Optional<SessionInfo> servedBy) {
    public ChatResponse {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(toolCalls, "toolCalls");
        Objects.requireNonNull(reasoning, "reasoning");
        Objects.requireNonNull(servedBy, "servedBy");
        toolCalls = List.copyOf(toolCalls);
        if (finishReason == FinishReason.TOOL_CALLS && toolCalls.isEmpty()) {
            throw new IllegalArgumentException("a response that ended in tool calls must carry them");
        }
    }

    /** An answer as a backend's session makes it: where it ran is added by the runtime. */
    public ChatResponse(String text, FinishReason finishReason, Usage usage, Duration elapsed,
                        List<ToolCall> toolCalls, String reasoning) {
        this(text, finishReason, usage, elapsed, toolCalls, reasoning, Optional.empty());
    }

    /** A text answer. */
    public ChatResponse(String text, FinishReason finishReason, Usage usage, Duration elapsed) {
        this(text, finishReason, usage, elapsed, List.of(), "");
    }

    /** This answer, saying which session answered it. */
    public ChatResponse withServedBy(SessionInfo session) {
        return new ChatResponse(text, finishReason, usage, elapsed, toolCalls, reasoning, Optional.of(session));
    }

    /** Whether the model called tools. */
    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    /** The assistant message this response adds to a conversation (text and calls). */
    public ChatMessage asMessage() {
        return ChatMessage.assistant(text, toolCalls);
    }

    /** Generated tokens per second of wall time, or 0 when nothing was generated. */
    public double tokensPerSecond() {
        double s = elapsed.toNanos() / 1e9;
        return s <= 0 || usage.completionTokens() == 0 ? 0 : usage.completionTokens() / s;
    }
}
