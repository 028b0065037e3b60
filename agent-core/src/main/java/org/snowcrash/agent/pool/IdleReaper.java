package org.snowcrash.agent.pool;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive: when a model becomes idle its expiry is set by the clock and a timer is armed;
 * when the timer fires (or a test calls {@link #expireIdle()} after moving a manual clock), every
 * idle model whose keep-alive has run out is unloaded. Time is read from the pool's clock; the
 * timer thread only decides when to look.
 */
final class IdleReaper {

    private final PoolState state;
    private final Unloader unloader;
    private final ScheduledThreadPoolExecutor timer;

    IdleReaper(PoolState state, Unloader unloader) {
        this.state = state;
        this.unloader = unloader;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "snowcrash-pool-keep-alive");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Called with the lock held, when the model has just become idle. */
    void scheduleExpiry(Slot slot, Instant now) {
        KeepAlive keepAlive = slot.limits.keepAlive();
        // A pinned model has no keep-alive: it stays until the pool closes.
        slot.expiresAt = slot.limits.pinned() ? null : keepAlive.expiry(now).orElse(null);
        slot.cancelTimer();
        if (slot.expiresAt == null) {
            return;
        }
        try {
            long delay = Math.max(0, keepAlive.duration().toMillis());
            slot.timer = timer.schedule(this::expireIdle, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closing: nothing is to expire any more.
        } catch (ArithmeticException e) {
            // A keep-alive beyond 292 million years: no timer, as good as never.
        }
    }

    /** Unloads every idle model whose keep-alive has run out by the clock. Blocks while they close. */
    void expireIdle() {
        List<Unloader.Victim> due = new ArrayList<>();
        state.lock.lock();
        try {
            if (state.closed) {
                return;
            }
            Instant now = state.clock.instant();
            for (Slot s : state.slots.values()) {
                if (s.idle() && s.expiresAt != null && !now.isBefore(s.expiresAt)) {
                    due.add(Unloader.Victim.take(s));
                }
            }
        } finally {
            state.lock.unlock();
        }
        unloader.unload(due, s -> s.limits.keepAlive().afterEachRequest() ? "keep-alive 0: unloaded after its last request"
                : "keep-alive expired: idle for " + KeepAlive.human(s.limits.keepAlive().duration()));
    }

    /** No more expiries. Not shutdownNow: an interrupt could cut short a container's removal on the timer's thread. */
    void shutdown() {
        timer.shutdown();
    }
}
