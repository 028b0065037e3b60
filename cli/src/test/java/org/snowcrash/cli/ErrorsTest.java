package org.snowcrash.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.snowcrash.agent.InterruptedStartException;
import org.snowcrash.agent.InvalidModelException;
import org.snowcrash.agent.NoBackendStartedException;
import org.snowcrash.agent.pool.PoolFailure;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.StartFailure;
import org.snowcrash.models.UnknownModelException;
import org.snowcrash.registry.UnknownBackendException;
import org.snowcrash.testkit.fake.OwnFailures.QuotaSpent;

/** Every exception that reaches the command maps to the exit status the README documents. */
class ErrorsTest {

    @Test
    void exitStatusFollowsTheKind() {
        assertEquals(2, Errors.exitCode(new ConfigurationException(List.of(new ConfigurationException.Problem("k", "v", "map", "bad")))));
        assertEquals(2, Errors.exitCode(new UnknownModelException("unknown model 'gpt'")));
        assertEquals(2, Errors.exitCode(new UnknownBackendException("onnx", List.of("docker"), List.of())));
        assertEquals(2, Errors.exitCode(new InvalidModelException("m", new StartFailure.ModelInvalid(Path.of("m.gguf"), "not a GGUF file"))));
        assertEquals(2, Errors.exitCode(new IllegalArgumentException("--max-tokens must be at least 1")));
        assertEquals(3, Errors.exitCode(new NoBackendStartedException("m", List.of(), List.of())));
        assertEquals(1, Errors.exitCode(new ChatException("docker", "model m", new ChatFailure.BackendGone("gone"))));
        assertEquals(130, Errors.exitCode(new InterruptedStartException("m", null)));
        assertEquals(1, Errors.exitCode(new IllegalStateException("a bug")));
    }

    @Test
    void aFailureInABackendsOwnTermsIsShownInItsWords() {
        ChatException own = new ChatException("gateway", "model m", new QuotaSpent("acme"));
        assertEquals(1, Errors.exitCode(own));
        assertEquals("gateway (model m): account acme has spent its quota for today", Errors.describe(own));
        ChatException busy = new ChatException("pool", "model a", new PoolFailure.Busy("a", 2, 1, Duration.ofSeconds(3)));
        assertEquals(1, Errors.exitCode(busy));
        assertEquals("pool (model a): model 'a' is busy (it runs at most 2 requests at once and queues at most 1); "
                + "retry after 3 s", Errors.describe(busy));
    }

    @Test
    void aFailedRequestIsNamedByItsTypeOrItsOwnCode() {
        assertEquals("ContextOverflow", Errors.kind(new ChatFailure.ContextOverflow(600, 512)));
        assertEquals("quota_spent", Errors.kind(new QuotaSpent("acme")));
        assertEquals("model_busy", Errors.kind(new PoolFailure.Busy("a", 2, 1, Duration.ofSeconds(3))));
        ChatFailure.Specific anonymous = new ChatFailure.Specific() {
            @Override
            public String code() {
                return "gateway_reset";
            }

            @Override
            public String describe() {
                return "the gateway reset the stream";
            }
        };
        assertEquals("gateway_reset", Errors.kind(anonymous));
    }

    @Test
    void ourMessagesAreShownAsTheyAreAndOthersNameTheirClass() {
        assertEquals("unknown model 'gpt'", Errors.describe(new UnknownModelException("unknown model 'gpt'")));
        assertTrue(Errors.describe(new IllegalStateException("a bug")).startsWith("IllegalStateException: a bug"));
    }
}
