package org.snowcrash.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.snowcrash.agent.pool.PoolFailure;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.testkit.fake.OwnFailures.QuotaSpent;

/**
 * The pool's failures keep their OpenAI mapping now that they are the pool's own types, and a
 * failure this server knows nothing of (a third party's {@link ChatFailure.Specific}) still reaches
 * the client with its own words and its stable code.
 */
class OpenAiErrorTest {

    @Test
    void aBusyModelIsA429WithRetryAfter() {
        OpenAiError e = OpenAiError.from(new ChatException("pool", "model a",
                new PoolFailure.Busy("a", 2, 1, Duration.ofMillis(1500))));
        assertEquals(429, e.status());
        assertEquals("rate_limit_error", e.type());
        assertEquals("model_busy", e.code());
        assertEquals(Optional.of("2"), e.retryAfterSeconds());
        assertEquals("pool (model a): model 'a' is busy (it runs at most 2 requests at once and queues at most 1); "
                + "retry after 1 s", e.message());
    }

    @Test
    void aModelOverTheMemoryBudgetIsA503() {
        OpenAiError e = OpenAiError.from(new ChatException("pool", "model b",
                new PoolFailure.OverBudget(1L << 20, 3L << 20, List.of("a"))));
        assertEquals(503, e.status());
        assertEquals("server_error", e.type());
        assertEquals("over_memory_budget", e.code());
        assertEquals(Optional.empty(), e.retryAfter());
    }

    @Test
    void aFailureTheServerDoesNotKnowKeepsItsWordsAndCode() {
        OpenAiError e = OpenAiError.from(new ChatException("gateway", "model m", new QuotaSpent("acme")));
        assertEquals(500, e.status());
        assertEquals("server_error", e.type());
        assertEquals("quota_spent", e.code());
        assertEquals("gateway (model m): account acme has spent its quota for today", e.message());
    }
}
