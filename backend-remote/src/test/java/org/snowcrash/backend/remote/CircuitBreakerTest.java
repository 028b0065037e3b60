package org.snowcrash.backend.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private final ManualClock clock = new ManualClock();
    private final CircuitBreaker breaker = new CircuitBreaker(Duration.ofSeconds(30), clock);

    private CircuitBreaker.Permit permit() {
        return breaker.tryAcquire().orElseThrow(() -> new AssertionError("no permit: " + breaker));
    }

    private CircuitBreaker.Permit openThenCoolDown() {
        breaker.failed(permit(), "connection refused");
        clock.advance(Duration.ofSeconds(30));
        return permit();
    }

    @Test
    void closedGivesPermitsToEveryone() {
        for (int i = 0; i < 5; i++) {
            assertFalse(permit().isProbe());
        }
        assertEquals(CircuitBreaker.State.CLOSED, breaker.snapshot().state());
    }

    @Test
    void oneHardFailureOpensItForTheCooldownAndSaysWhy() {
        breaker.failed(permit(), "connection refused");
        CircuitBreaker.Snapshot s = breaker.snapshot();
        assertEquals(CircuitBreaker.State.OPEN, s.state());
        assertEquals(Duration.ofSeconds(30), s.coolingFor());
        assertEquals("connection refused", s.lastFailure());
        assertFalse(s.usable());
        clock.advance(Duration.ofSeconds(29));
        assertTrue(breaker.tryAcquire().isEmpty(), "no permit while cooling down");
        assertEquals(Duration.ofSeconds(1), breaker.snapshot().coolingFor());
    }

    @Test
    void aSoftVerdictNeverOpensIt() {
        for (int i = 0; i < 10; i++) {
            breaker.succeeded(permit()); // a 400 or a context overflow: the endpoint answered
            breaker.released(permit());  // a cancelled request
        }
        assertEquals(CircuitBreaker.State.CLOSED, breaker.snapshot().state());
    }

    @Test
    void afterTheCooldownExactlyOneProbeIsLetThrough() {
        CircuitBreaker.Permit probe = openThenCoolDown();
        assertTrue(probe.isProbe());
        assertEquals(CircuitBreaker.State.HALF_OPEN, breaker.snapshot().state());
        assertTrue(breaker.tryAcquire().isEmpty(), "nobody else while the probe is out");
        clock.advance(Duration.ofMinutes(5));
        assertTrue(breaker.tryAcquire().isEmpty(), "however long the probe takes");
    }

    @Test
    void aProbeThatSucceedsClosesIt() {
        breaker.succeeded(openThenCoolDown());
        assertEquals(CircuitBreaker.State.CLOSED, breaker.snapshot().state());
        assertEquals("", breaker.snapshot().lastFailure());
        assertFalse(permit().isProbe());
    }

    @Test
    void aProbeThatFailsOpensItForAnotherFullCooldown() {
        breaker.failed(openThenCoolDown(), "connect timed out");
        assertEquals(CircuitBreaker.State.OPEN, breaker.snapshot().state());
        assertEquals(Duration.ofSeconds(30), breaker.snapshot().coolingFor());
        assertEquals("connect timed out", breaker.snapshot().lastFailure());
    }

    @Test
    void aProbeWithoutVerdictLetsTheNextCallerProbe() {
        breaker.released(openThenCoolDown());
        CircuitBreaker.Permit next = permit();
        assertTrue(next.isProbe());
        assertTrue(breaker.tryAcquire().isEmpty());
    }

    @Test
    void aRequestFromBeforeTheFailureCannotCloseItOrDisturbTheProbe() {
        CircuitBreaker.Permit old = permit();
        CircuitBreaker.Permit older = permit();
        breaker.failed(permit(), "reset");
        breaker.succeeded(old);
        assertEquals(CircuitBreaker.State.OPEN, breaker.snapshot().state(), "only the probe closes it");
        clock.advance(Duration.ofSeconds(30));
        CircuitBreaker.Permit probe = permit();
        breaker.failed(older, "reset too");
        assertEquals(CircuitBreaker.State.HALF_OPEN, breaker.snapshot().state(), "a stale failure leaves the probe alone");
        breaker.succeeded(probe);
        assertEquals(CircuitBreaker.State.CLOSED, breaker.snapshot().state());
    }

    @Test
    void aStaleFailureWhileOpenNeverShortensTheWait() {
        CircuitBreaker.Permit a = permit();
        CircuitBreaker.Permit b = permit();
        breaker.failed(a, "first");
        clock.advance(Duration.ofSeconds(10));
        breaker.failed(b, "second");
        assertEquals(Duration.ofSeconds(30), breaker.snapshot().coolingFor(), "the later end wins");
    }

    @Test
    void onlyTheFirstVerdictOnAPermitCounts() {
        CircuitBreaker.Permit probe = openThenCoolDown();
        breaker.succeeded(probe);
        breaker.failed(probe, "late");
        assertEquals(CircuitBreaker.State.CLOSED, breaker.snapshot().state());
    }

    @Test
    void anOldProbesLateAnswerDoesNotCountForTheNewOne() {
        CircuitBreaker.Permit first = openThenCoolDown();
        breaker.released(first);
        CircuitBreaker.Permit second = permit();
        breaker.failed(first, "late"); // already settled: ignored
        breaker.succeeded(second);
        assertEquals(CircuitBreaker.State.CLOSED, breaker.snapshot().state());
    }

    @Test
    void theCooldownMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new CircuitBreaker(Duration.ZERO, clock));
    }
}
