package org.snowcrash.agent;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.snowcrash.api.Capability;
import org.snowcrash.api.ModelSession;

/**
 * What a {@link RunningModel} is doing now: the one state machine of a model's life. Replaced,
 * never mutated, so a compare-and-set on the model's reference decides races (a death against a
 * fail-back, a restart against a close).
 */
sealed interface ModelState permits ModelState.Serving, ModelState.Down, ModelState.Closed {

    /**
     * A session that answers, the attempts of the start that made it, when it started (by the
     * model's clock) and its requests in flight.
     */
    record Serving(ModelSession session, List<Attempt> attempts, Set<Capability> capabilities, Instant since, Lease lease)
            implements ModelState {
        Serving(Launch launch, Instant since) {
            this(launch.session(), launch.attempts(), launch.capabilities(), since, new Lease());
        }
    }

    /** The session {@code last} died; the next request restarts (or refuses, with {@link Recovery#NONE}). */
    record Down(Serving last) implements ModelState {
    }

    /** Closed; {@code last} is the session that was closed, kept for {@link RunningModel#info()}. */
    record Closed(Serving last) implements ModelState {
    }

    /** The session this state is about: the serving one, or the last one before a death or the close. */
    static Serving last(ModelState s) {
        if (s instanceof Serving serving) {
            return serving;
        }
        if (s instanceof Down down) {
            return down.last();
        }
        return ((Closed) s).last();
    }

    /**
     * The requests in flight on one session. Only fail-back needs it: the session it replaces may
     * still be answering, so it is closed when the last of those requests ends, not at once.
     */
    final class Lease {
        private int inFlight;
        private boolean retired;
        private boolean closed;

        /** False once retired: the caller must take the session that replaced it. */
        synchronized boolean acquire() {
            if (retired) {
                return false;
            }
            inFlight++;
            return true;
        }

        /** True when the caller must close the session now (retired and this was the last request). */
        synchronized boolean release() {
            inFlight--;
            return retired && inFlight == 0 && markClosed();
        }

        /** True when the caller must close the session now (nothing in flight). */
        synchronized boolean retire() {
            retired = true;
            return inFlight == 0 && markClosed();
        }

        private boolean markClosed() {
            boolean first = !closed;
            closed = true;
            return first;
        }
    }
}
