package org.snowcrash.agent.pool;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.snowcrash.agent.InterruptedStartException;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;

/**
 * The pool's bookkeeping, kept once: every model's {@link Slot}, whether the pool is closed, and
 * the one lock and condition that guard them. The pool's parts ({@link Admission},
 * {@link MemoryLedger}, {@link SharedStart}, {@link IdleReaper}, {@link Unloader}) all work on
 * this object; none keeps state of its own about a model.
 *
 * <p>Lock rule (see {@link ModelPool}): nothing that may block or call back is called with
 * {@link #lock} held, only the clock, the timer's queue and {@link #changed}.
 */
final class PoolState {

    /** The backend id the pool's own failures carry: no backend was asked. */
    static final String POOL = "pool";

    final ReentrantLock lock = new ReentrantLock();
    /** Signalled on every change a waiting request may be waiting for. */
    final Condition changed = lock.newCondition();
    /** Every catalog model, in catalog order; the map itself never changes. */
    final Map<String, Slot> slots;
    final Clock clock;
    /** Set once by {@link ModelPool#close()}; read and written with {@link #lock} held. */
    boolean closed;

    PoolState(Map<String, Slot> slots, Clock clock) {
        this.slots = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(slots));
        this.clock = clock;
    }

    /** Wakes every waiter (a cancel, from any thread); takes the lock briefly. */
    void wakeAll() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Called with the lock held: waits for a change, at most {@code nanos}. */
    void awaitNanos(Slot slot, long nanos) {
        try {
            changed.awaitNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedStartException(slot.id(), e);
        }
    }

    /** Called with the lock held: waits for a change, at most a second (used while another thread's work ends). */
    void awaitBriefly(Slot slot) {
        awaitNanos(slot, TimeUnit.SECONDS.toNanos(1));
    }

    /** Called with the lock held. */
    void ensureOpen(Slot slot) {
        if (closed) {
            throw closedError(slot);
        }
    }

    /** Called with the lock held: the estimates of every model holding memory. */
    long held() {
        long sum = 0;
        for (Slot s : slots.values()) {
            if (s.reserved) {
                sum += s.estimate;
            }
        }
        return sum;
    }

    static ChatException closedError(Slot slot) {
        return new ChatException(POOL, "model '" + slot.id() + "'", new ChatFailure.Closed());
    }
}
