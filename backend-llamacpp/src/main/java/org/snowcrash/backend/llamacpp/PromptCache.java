package org.snowcrash.backend.llamacpp;

/**
 * Says how many tokens of a prompt the model's llama.cpp slot reuses from the request before.
 *
 * <p>java-llama.cpp 4.2.0 runs llama.cpp's server code (b4916) in the JVM with one slot and
 * {@code cache_prompt} on, but hands neither the server's {@code n_tokens_cached} nor its timings
 * to Java. So this mirrors the server's rule: the slot keeps the previous request's tokens and
 * reuses the longest common prefix with the new prompt, less one when the whole prompt is common
 * (one token must be evaluated to get logits). Only the previous prompt is remembered, not the
 * answer the slot generated after it, so the count is a lower bound: the slot may also reuse the
 * first tokens of the previous answer when the next prompt repeats them. After a cancelled or
 * failed request nothing is assumed cached.
 *
 * <p>Not thread-safe: used under the model's lock, like every call into the native model.
 */
final class PromptCache {

    private int[] last = new int[0];

    /**
     * The tokens of {@code prompt} the slot reuses, and remembers {@code prompt} as what the slot
     * holds next.
     *
     * @param prompt the prompt's tokens as the slot sees them (BOS included)
     */
    int reuse(int[] prompt) {
        int n = commonPrefix(last, prompt);
        if (n == prompt.length && n > 0) {
            n--;
        }
        last = prompt;
        return n;
    }

    /** The slot's content is unknown (a request was cancelled or failed): assume nothing is reused next time. */
    void forget() {
        last = new int[0];
    }

    static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return n;
    }
}
