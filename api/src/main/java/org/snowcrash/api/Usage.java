package org.snowcrash.api;

/**
 * Token counts of one request.
 *
 * @param promptTokens       tokens of the prompt as the model saw it (chat template applied), all of
 *                           them: those taken from the backend's prompt cache included
 * @param completionTokens   tokens generated
 * @param cachedPromptTokens how many of the prompt's tokens the backend did not process again
 *                           because it still had them from an earlier request with the same
 *                           beginning (llama-server's {@code cache_n}); 0 when nothing was reused or
 *                           the backend cannot say. Never more than {@code promptTokens}.
 */
public record Usage(int promptTokens, int completionTokens, int cachedPromptTokens) {
    public Usage {
        if (promptTokens < 0 || completionTokens < 0 || cachedPromptTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
        if (cachedPromptTokens > promptTokens) {
            throw new IllegalArgumentException("cached prompt tokens (" + cachedPromptTokens
                    + ") cannot exceed the prompt tokens (" + promptTokens + ")");
        }
    }

    /** Counts with nothing known to come from a prompt cache. */
    public Usage(int promptTokens, int completionTokens) {
        this(promptTokens, completionTokens, 0);
    }

    /** Prompt plus completion tokens. */
    public int totalTokens() {
        return promptTokens + completionTokens;
    }

    /** Prompt tokens the backend had to process for this request: the prompt minus what came from its cache. */
    public int processedPromptTokens() {
        return promptTokens - cachedPromptTokens;
    }
}
