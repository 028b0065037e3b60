package org.snowcrash.agent;

import org.snowcrash.api.ChatFailure;

/**
 * Decides how many of the oldest exchanges a request leaves out so that the prompt plus the
 * answer fit the context window, from token costs counted before (see {@link PromptCosts}): it
 * never tokenizes anything itself. When even the system prompt and the question leave too little
 * room for the whole answer, the answer is shortened; when they alone do not fit, the request is
 * refused with {@link ChatFailure.ContextOverflow}. Pure and stateless.
 */
final class ContextBudget {

    /**
     * What to send.
     *
     * @param drop         how many of the oldest exchanges to leave out (and forget)
     * @param maxTokens    the answer's token limit
     * @param promptTokens the prompt's size as estimated from the costs
     */
    record Plan(int drop, int maxTokens, int promptTokens) {
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

    /**
     * @param policy      how much to drop once something must go
     * @param contextSize the context one request can use
     * @param maxTokens   the answer's wanted token limit
     * @param fixed       what every prompt costs: template overhead and the system prompt
     * @param exchanges   the cost of each kept exchange, oldest first
     * @param question    the cost of the new question
     */
    static Plan plan(TrimPolicy policy, int contextSize, int maxTokens, int fixed, int[] exchanges, int question)
            throws Overflow {
        long minimal = (long) fixed + question;
        if (minimal >= contextSize) {
            throw new Overflow(new ChatFailure.ContextOverflow((int) Math.min(Integer.MAX_VALUE, minimal), contextSize));
        }
        long total = minimal;
        for (int e : exchanges) {
            total += e;
        }
        long budget = (long) contextSize - maxTokens;
        int drop = 0;
        if (total > budget) {
            long target = policy == TrimPolicy.CACHE_AWARE ? lowWaterMark(budget) : budget;
            while (drop < exchanges.length && total > target) {
                total -= exchanges[drop++];
            }
        }
        return new Plan(drop, (int) Math.min(maxTokens, contextSize - total), (int) total);
    }

    /** Where {@link TrimPolicy#CACHE_AWARE} trims down to: half the prompt budget. */
    static long lowWaterMark(long budget) {
        return budget / 2;
    }
}
