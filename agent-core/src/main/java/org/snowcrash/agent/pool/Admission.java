package org.snowcrash.agent.pool;

import java.time.Duration;
import java.time.Instant;

import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;

/**
 * Admission per model: at most {@code model.<id>.max-in-flight} requests at once (counting those
 * waiting for the model's start), up to {@code model.<id>.queue} more waiting first come first
 * served for at most the acquire timeout, the rest refused at once with {@link PoolFailure.Busy}
 * and a {@code Retry-After} guess. A request's end may leave the model idle: its keep-alive
 * starts then ({@link IdleReaper}).
 */
final class Admission {

    private final PoolState state;
    private final IdleReaper reaper;
    private final Duration acquireTimeout;

    Admission(PoolState state, IdleReaper reaper, Duration acquireTimeout) {
        this.state = state;
        this.reaper = reaper;
        this.acquireTimeout = acquireTimeout;
    }

    /** Takes a place among the model's requests in flight, queueing if need be; false when cancelled while queued. */
    boolean admit(Slot slot, Cancellation cancellation) {
        state.lock.lock();
        try {
            state.ensureOpen(slot);
            if (slot.queue.isEmpty() && slot.inFlight < slot.limits.maxInFlight()) {
                enter(slot);
                return true;
            }
            if (slot.queue.size() >= slot.limits.queue()) {
                throw busy(slot);
            }
            Object ticket = new Object();
            slot.queue.addLast(ticket);
            long deadline = System.nanoTime() + acquireTimeout.toNanos();
            try {
                while (true) {
                    state.ensureOpen(slot);
                    if (cancellation.isCancelled()) {
                        return false;
                    }
                    if (slot.queue.peekFirst() == ticket && slot.inFlight < slot.limits.maxInFlight()) {
                        slot.queue.removeFirst();
                        enter(slot);
                        return true;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw busy(slot);
                    }
                    state.awaitNanos(slot, left);
                }
            } finally {
                if (slot.queue.remove(ticket)) {
                    state.changed.signalAll(); // the next in line may be first now
                }
            }
        } finally {
            state.lock.unlock();
        }
    }

    /** Ends a request ({@code tookNanos} negative when it was not answered): the model may become idle. */
    void release(Slot slot, long tookNanos) {
        state.lock.lock();
        try {
            slot.inFlight--;
            Instant now = state.clock.instant();
            slot.lastUsed = now;
            if (tookNanos >= 0) {
                slot.averageNanos = slot.averageNanos == 0 ? tookNanos : (3 * slot.averageNanos + tookNanos) / 4;
            }
            if (slot.idle() && !state.closed) {
                reaper.scheduleExpiry(slot, now);
            }
            state.changed.signalAll();
        } finally {
            state.lock.unlock();
        }
    }

    /** Called with the lock held. */
    private void enter(Slot slot) {
        slot.inFlight++;
        slot.lastUsed = state.clock.instant();
        slot.expiresAt = null;
        slot.cancelTimer();
    }

    /** Called with the lock held. */
    private static ChatException busy(Slot slot) {
        // A guess for Retry-After: the waves of requests ahead, at the model's usual pace.
        double waves = (slot.queue.size() + 1.0) / slot.limits.maxInFlight();
        long seconds = (long) Math.ceil(slot.averageNanos * waves / 1e9);
        Duration retry = Duration.ofSeconds(Math.min(60, Math.max(1, seconds)));
        return new ChatException(PoolState.POOL, "model '" + slot.id() + "'",
                new PoolFailure.Busy(slot.id(), slot.limits.maxInFlight(), slot.limits.queue(), retry));
    }
}
