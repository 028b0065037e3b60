package org.snowcrash.agent;

import java.util.Locale;

import org.snowcrash.api.Settings;
import org.snowcrash.api.SettingsReader;

/**
 * How an {@link Agent} makes room when its next request would not fit the context window (the
 * prompt plus the answer's {@code maxTokens}). Both always keep the system prompt and the new
 * question, drop whole exchanges (a question with its answer), oldest first, and forget what they
 * drop. They differ in how much they drop at once, which decides whether the server can reuse
 * the prompt it already processed: llama.cpp keeps a request's tokens and reuses the longest
 * common beginning with the next prompt, so a prompt whose beginning changes is processed again
 * in full.
 *
 * <p>Set with {@link Agent.Builder#trimPolicy} or the configuration key
 * {@code snowcrash.agent.trim-policy} ({@code cache-aware}, the default, or {@code oldest-first}).
 */
public enum TrimPolicy {

    /**
     * Drops exchanges until the prompt is at most half the prompt budget (the low-water mark;
     * the budget is the context minus {@code maxTokens}), then only appends until the budget is
     * reached again. The prompt's beginning changes once every few turns instead of every turn,
     * so in between the server reuses the cached prompt and processes only the newest exchange.
     * Keeps less history right after a trim. The default.
     */
    CACHE_AWARE,

    /**
     * Drops the oldest exchange, one at a time, until the request fits: the most history the
     * context can hold, but once the context is full every turn drops an exchange, so the
     * prompt's beginning changes every turn and the server processes the whole prompt again
     * before each answer. The behaviour before {@link #CACHE_AWARE}.
     */
    OLDEST_FIRST;

    /** The configured policy ({@code snowcrash.agent.trim-policy}, default {@code cache-aware}). */
    static TrimPolicy configured(Settings settings) {
        SettingsReader reader = settings.reader();
        String value = reader.oneOf("snowcrash.agent.trim-policy", "cache-aware", "cache-aware", "oldest-first");
        reader.throwIfProblems();
        return valueOf(value.replace('-', '_').toUpperCase(Locale.ROOT));
    }
}
