package org.snowcrash.api;

/**
 * Token counts of one request.
 *
 * @param promptTokens     tokens of the prompt as the model saw it (chat template applied)
 * @param completionTokens tokens generated
 */
public record Usage(int promptTokens, int completionTokens) {
    public Usage {
        if (promptTokens < 0 || completionTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
    }

    /** Prompt plus completion tokens. */
    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
