package org.snowcrash.bench.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * What the ledger calls mixed: an answer naming the objects of another request's scene counts as
 * mixed only when that scene was asked on the same path to a model (serve's container, or an
 * agent's own); naming objects asked only on another path is the model's slip, an off-scene answer.
 */
class LedgerTest {

    private final Scenes scenes = Scenes.candidates();

    private static String sentence(Scenes.Scene s) {
        return "I see a " + s.objects().get(0) + " and a " + s.objects().get(1) + ".";
    }

    @Test
    void anAgentNamingASceneAskedOnlyThroughServeIsOffSceneNotMixed() throws Exception {
        Scenes.Scene agents = scenes.get(3);
        Scenes.Scene served = scenes.get(12);
        try (Ledger ledger = new Ledger(scenes, Duration.ofMinutes(1))) {
            ledger.close(ledger.open("http-1", served, () -> { }), new Outcome.Answered(sentence(served), "STOP"));
            ledger.close(ledger.open("agent-1", agents, () -> { }), new Outcome.Answered(sentence(served), "STOP"));
            Ledger.Counts c = ledger.settle(Duration.ZERO);
            assertEquals(0, c.mixed(), c.defects().toString());
            assertEquals(2, c.answered());
            assertEquals(1, c.offScene());
        }
    }

    @Test
    void anAnswerNamingAnotherRequestsSceneOnTheSamePathIsMixed() throws Exception {
        Scenes.Scene first = scenes.get(0);
        Scenes.Scene second = scenes.get(1);
        try (Ledger ledger = new Ledger(scenes, Duration.ofMinutes(1))) {
            Ledger.Ticket a = ledger.open("http-1", first, () -> { });
            Ledger.Ticket b = ledger.open("http-2", second, () -> { });
            ledger.close(a, new Outcome.Answered(sentence(first), "STOP"));
            ledger.close(b, new Outcome.Answered(sentence(first), "STOP"));
            Ledger.Counts c = ledger.settle(Duration.ZERO);
            assertEquals(1, c.mixed());
            assertTrue(c.defects().get(0).contains("got another scene's answer"), c.defects().toString());
        }
    }

    @Test
    void anUntypedFailureSaysWhichFaultCameLastBeforeIt() throws Exception {
        try (Ledger ledger = new Ledger(scenes, Duration.ofMinutes(1))) {
            ledger.close(ledger.open("http-1", scenes.get(0), () -> { }), new Outcome.Untyped("no answer"));
            ledger.event("kill serve 0123456789ab");
            ledger.close(ledger.open("http-2", scenes.get(1), () -> { }), new Outcome.Untyped("stream broke"));
            Ledger.Counts c = ledger.settle(Duration.ZERO);
            assertEquals(2, c.untyped());
            assertTrue(c.defects().get(0).contains("no fault before it"), c.defects().toString());
            assertTrue(c.defects().get(1).contains("from the last fault: kill serve 0123456789ab"), c.defects().toString());
        }
    }
}
