package org.snowcrash.api;

import java.time.Duration;
import java.util.Objects;

/**
 * A finished answer.
 *
 * @param text         the generated text
 * @param finishReason why generation ended
 * @param usage        token counts, as the model's own tokenizer counted them
 * @param elapsed      wall time from request to the end of the answer
 */
public record ChatResponse(String text, FinishReason finishReason, Usage usage, Duration elapsed) {
    public ChatResponse {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** Generated tokens per second of wall time, or 0 when nothing was generated. */
    public double tokensPerSecond() {
        double s = elapsed.toNanos() / 1e9;
        return s <= 0 || usage.completionTokens() == 0 ? 0 : usage.completionTokens() / s;
    }
}
