package org.snowcrash.backend.remote;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Invariants of the breaker under any interleaving of callers: permits taken, verdicts given in
 * any order (also twice, also late), time passing.
 */
class CircuitBreakerProperties {

    /** One step: 0 take a permit, 1 succeed, 2 fail, 3 release (on the outstanding permit picked by {@code index}), 4 let time pass. */
    record Step(int kind, int index, int millis) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(0, 20), Arbitraries.integers().between(0, 2_000)).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(200);
    }

    @Property(tries = 500)
    boolean neverTwoProbesOutAtOnce(@ForAll("steps") List<Step> steps) {
        ManualClock clock = new ManualClock();
        CircuitBreaker b = new CircuitBreaker(Duration.ofMillis(1_000), clock);
        List<CircuitBreaker.Permit> out = new ArrayList<>();
        List<CircuitBreaker.Permit> probesOut = new ArrayList<>();
        for (Step s : steps) {
            if (s.kind() == 0) {
                Optional<CircuitBreaker.Permit> p = b.tryAcquire();
                p.ifPresent(out::add);
                if (p.isPresent() && p.get().isProbe()) {
                    probesOut.add(p.get());
                }
            } else if (s.kind() == 4) {
                clock.advance(Duration.ofMillis(s.millis()));
            } else if (!out.isEmpty()) {
                CircuitBreaker.Permit p = out.get(s.index() % out.size());
                switch (s.kind()) {
                    case 1 -> b.succeeded(p);
                    case 2 -> b.failed(p, "x");
                    default -> b.released(p);
                }
                // A settled probe is no longer out (a permit may be settled twice: only the first counts).
                probesOut.remove(p);
            }
            if (probesOut.size() > 1) {
                return false;
            }
        }
        return true;
    }

    @Property(tries = 500)
    boolean noPermitIsGivenWhileCoolingDown(@ForAll("steps") List<Step> steps) {
        ManualClock clock = new ManualClock();
        CircuitBreaker b = new CircuitBreaker(Duration.ofMillis(1_000), clock);
        List<CircuitBreaker.Permit> out = new ArrayList<>();
        for (Step s : steps) {
            boolean cooling = b.snapshot().state() == CircuitBreaker.State.OPEN && !b.snapshot().coolingFor().isZero();
            if (s.kind() == 0) {
                Optional<CircuitBreaker.Permit> p = b.tryAcquire();
                if (cooling && p.isPresent()) {
                    return false;
                }
                p.ifPresent(out::add);
            } else if (s.kind() == 4) {
                clock.advance(Duration.ofMillis(s.millis()));
            } else if (!out.isEmpty()) {
                CircuitBreaker.Permit p = out.get(s.index() % out.size());
                switch (s.kind()) {
                    case 1 -> b.succeeded(p);
                    case 2 -> b.failed(p, "x");
                    default -> b.released(p);
                }
            }
        }
        return true;
    }

    @Property(tries = 300)
    boolean withoutAHardFailureItStaysClosed(@ForAll("steps") List<Step> steps) {
        ManualClock clock = new ManualClock();
        CircuitBreaker b = new CircuitBreaker(Duration.ofMillis(1_000), clock);
        List<CircuitBreaker.Permit> out = new ArrayList<>();
        for (Step s : steps) {
            if (s.kind() == 0) {
                b.tryAcquire().ifPresent(out::add);
            } else if (s.kind() == 4) {
                clock.advance(Duration.ofMillis(s.millis()));
            } else if (!out.isEmpty() && s.kind() != 2) {
                CircuitBreaker.Permit p = out.get(s.index() % out.size());
                if (s.kind() == 1) {
                    b.succeeded(p);
                } else {
                    b.released(p);
                }
            }
            if (b.snapshot().state() != CircuitBreaker.State.CLOSED) {
                return false;
            }
        }
        return true;
    }
}
