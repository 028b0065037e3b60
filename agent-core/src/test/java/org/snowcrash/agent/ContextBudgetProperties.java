package org.snowcrash.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The budget's invariants for any costs, context and answer length. */
class ContextBudgetProperties {

    private static long sum(int[] a, int from) {
        long s = 0;
        for (int i = from; i < a.length; i++) {
            s += a[i];
        }
        return s;
    }

    @Property(tries = 2000)
    void whatIsSentFitsAndIsASuffixOfWhatWasKept(
            @ForAll TrimPolicy policy,
            @ForAll @IntRange(min = 1, max = 4096) int context,
            @ForAll @IntRange(min = 1, max = 1024) int maxTokens,
            @ForAll @IntRange(min = 0, max = 600) int fixed,
            @ForAll @IntRange(min = 0, max = 300) int question,
            @ForAll @Size(max = 80) List<@IntRange(min = 0, max = 200) Integer> costs) {
        int[] exchanges = costs.stream().mapToInt(Integer::intValue).toArray();
        if (fixed + question >= context) {
            ContextBudget.Overflow o = assertThrows(ContextBudget.Overflow.class,
                    () -> ContextBudget.plan(policy, context, maxTokens, fixed, exchanges, question));
            assertEquals(fixed + question, o.failure.promptTokens());
            assertEquals(context, o.failure.contextSize());
            return;
        }
        ContextBudget.Plan p;
        try {
            p = ContextBudget.plan(policy, context, maxTokens, fixed, exchanges, question);
        } catch (ContextBudget.Overflow e) {
            throw new AssertionError("the system prompt and question fit, yet: " + e.getMessage());
        }
        assertTrue(p.drop() >= 0 && p.drop() <= exchanges.length);
        assertEquals(fixed + question + sum(exchanges, p.drop()), p.promptTokens(), "the estimate is the kept parts' sum");
        assertTrue(p.maxTokens() >= 1 && p.maxTokens() <= maxTokens);
        assertTrue(p.promptTokens() + p.maxTokens() <= context, "prompt and answer fit");
        if (fixed + question + maxTokens <= context) {
            assertEquals(maxTokens, p.maxTokens(), "the answer is shortened only when nothing else can give way");
        }
        long budget = (long) context - maxTokens;
        if (fixed + question + sum(exchanges, 0) <= budget) {
            assertEquals(0, p.drop(), "nothing is dropped while everything fits");
        } else if (p.drop() < exchanges.length) {
            long target = policy == TrimPolicy.CACHE_AWARE ? ContextBudget.lowWaterMark(budget) : budget;
            assertTrue(p.promptTokens() <= target, "trimmed down to " + target);
            if (p.drop() > 0) {
                assertTrue(p.promptTokens() + exchanges[p.drop() - 1] > target, "and not one exchange more than that");
            }
        }
    }
}
