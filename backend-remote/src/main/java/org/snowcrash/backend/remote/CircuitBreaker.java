package org.snowcrash.backend.remote;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The health of one endpoint, as a circuit breaker with a cool-down and a half-open re-test.
 *
 * <pre>
 *   CLOSED ──hard failure──▶ OPEN (cooling down) ──cool-down over, one permit──▶ HALF_OPEN (one probe out)
 *     ▲                          ▲                                                   │
 *     └────── probe succeeded ───┼───────────────────────────────────────────────────┤
 *                                └──────────────────── probe failed ─────────────────┘
 * </pre>
 *
 * <p>Every exchange with the endpoint (a probe, a model check, a chat request) first takes a
 * {@link Permit} and reports one verdict on it: {@link #succeeded}, {@link #failed} (a hard
 * failure: refused, reset, timed out, 5xx) or {@link #released} (no verdict: cancelled, or a soft
 * failure, which says the endpoint answered). While closed, permits are free. One hard failure
 * opens the breaker for the cool-down; during it no permit is given. After it, exactly one permit
 * is given, the probe, and no other until the probe's verdict: success closes the breaker, failure
 * opens it for another cool-down, no verdict lets the next caller probe. Verdicts on permits taken
 * before the breaker opened do not close it (only the probe decides), and a stale failure does not
 * disturb a probe in flight.
 *
 * <p>Pure: time comes from the injected clock (nanoseconds, as {@link System#nanoTime()}), so
 * tests drive it without sleeping. Thread-safe (every method is synchronized and quick).
 */
final class CircuitBreaker {

    /** Where the breaker stands. */
    enum State {
        /** Healthy: permits are free. */
        CLOSED,
        /** Cooling down after a hard failure, or cooled down and waiting for a probe. */
        OPEN,
        /** One probe is out; nobody else gets a permit until it reports. */
        HALF_OPEN
    }

    /** The right to one exchange with the endpoint; exactly one verdict counts. */
    static final class Permit {
        private final boolean probe;
        private final long generation;
        private final AtomicBoolean settled = new AtomicBoolean();

        private Permit(boolean probe, long generation) {
            this.probe = probe;
            this.generation = generation;
        }

        /** Whether this permit is the half-open re-test. */
        boolean isProbe() {
            return probe;
        }

        private boolean settle() {
            return settled.compareAndSet(false, true);
        }
    }

    /**
     * What the breaker says now, for messages and routing.
     *
     * @param state       where it stands
     * @param coolingFor  how much of the cool-down is left (zero when none)
     * @param lastFailure the last hard failure, for people ({@code ""} when none)
     */
    record Snapshot(State state, Duration coolingFor, String lastFailure) {
        /** Whether a permit could be given now (closed, or open with the cool-down over). */
        boolean usable() {
            return state == State.CLOSED || (state == State.OPEN && coolingFor.isZero());
        }
    }

    private final Duration cooldown;
    private final LongSupplier clock;
    private State state = State.CLOSED;
    private long openUntil;
    private String lastFailure = "";
    /** Bumped at every probe, so that only the current probe's verdict counts. */
    private long generation;

    CircuitBreaker(Duration cooldown, LongSupplier clock) {
        if (cooldown.isNegative() || cooldown.isZero()) {
            throw new IllegalArgumentException("cooldown must be positive, got " + cooldown);
        }
        this.cooldown = cooldown;
        this.clock = Objects.requireNonNull(clock);
    }

    /** A permit, or empty while cooling down or while the probe is out. */
    synchronized Optional<Permit> tryAcquire() {
        switch (state) {
            case CLOSED:
                return Optional.of(new Permit(false, generation));
            case OPEN:
                if (clock.getAsLong() - openUntil >= 0) {
                    state = State.HALF_OPEN;
                    generation++;
                    return Optional.of(new Permit(true, generation));
                }
                return Optional.empty();
            default:
                return Optional.empty();
        }
    }

    /** The exchange worked (or the endpoint answered, even with a refusal): a probe closes the breaker. */
    synchronized void succeeded(Permit p) {
        if (!p.settle()) {
            return;
        }
        if (isCurrentProbe(p)) {
            state = State.CLOSED;
            lastFailure = "";
        }
    }

    /** A hard failure: opens the breaker for the cool-down (again, for a probe). */
    synchronized void failed(Permit p, String why) {
        if (!p.settle()) {
            return;
        }
        if (p.probe && !isCurrentProbe(p)) {
            return; // an old probe's late answer
        }
        if (state == State.HALF_OPEN && !p.probe) {
            return; // a request from before the breaker opened must not disturb the probe
        }
        long until = clock.getAsLong() + cooldown.toNanos();
        // A stale failure while open keeps the later of the two ends, never shortens the wait.
        openUntil = state == State.OPEN && openUntil - until > 0 ? openUntil : until;
        state = State.OPEN;
        lastFailure = why;
    }

    /** No verdict (cancelled, not the endpoint's doing): a probe lets the next caller probe. */
    synchronized void released(Permit p) {
        if (!p.settle()) {
            return;
        }
        if (isCurrentProbe(p)) {
            state = State.OPEN; // its cool-down is over already: the next tryAcquire probes
        }
    }

    synchronized Snapshot snapshot() {
        long left = state == State.OPEN ? Math.max(0, openUntil - clock.getAsLong()) : 0;
        return new Snapshot(state, Duration.ofNanos(left), lastFailure);
    }

    private boolean isCurrentProbe(Permit p) {
        return p.probe && state == State.HALF_OPEN && p.generation == generation;
    }

    @Override
    public synchronized String toString() {
        return "CircuitBreaker[" + state + (lastFailure.isEmpty() ? "" : ", after: " + lastFailure) + "]";
    }
}
