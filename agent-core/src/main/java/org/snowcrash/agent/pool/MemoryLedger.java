package org.snowcrash.agent.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.models.MemoryEstimate;

/**
 * The memory budget: a model's estimate is reserved under the pool's lock before it starts (so
 * two starts never both pass the check), idle models are evicted least recently used first when
 * that makes room ({@link Evictions}), and otherwise the start waits up to the acquire timeout
 * for requests to end, then fails with {@link PoolFailure.OverBudget} naming what holds memory.
 */
final class MemoryLedger {

    private final PoolState state;
    private final PoolConfig config;
    private final Unloader unloader;
    private final PoolEvents events;

    MemoryLedger(PoolState state, PoolConfig config, Unloader unloader, PoolEvents events) {
        this.state = state;
        this.config = config;
        this.unloader = unloader;
        this.events = events;
    }

    /**
     * Reserves {@code estimate} bytes for {@code slot}, evicting idle models when that makes room
     * and waiting up to the acquire timeout when it does not; false when cancelled while waiting.
     *
     * @throws ChatException with {@link PoolFailure.OverBudget} when the time is up or the model alone is too large
     */
    boolean reserve(Slot slot, long estimate, Cancellation cancellation) {
        long deadline = System.nanoTime() + config.acquireTimeout().toNanos();
        boolean announced = false;
        while (true) {
            List<Unloader.Victim> victims = new ArrayList<>();
            String waiting = null;
            state.lock.lock();
            try {
                while (true) {
                    state.ensureOpen(slot);
                    if (cancellation.isCancelled()) {
                        return false;
                    }
                    long held = state.held();
                    if (config.budget().isEmpty() || held + estimate <= config.budget().getAsLong()) {
                        slot.reserved = true;
                        slot.estimate = estimate;
                        return true;
                    }
                    long budget = config.budget().getAsLong();
                    if (estimate > budget) {
                        throw overBudget(slot, estimate, Duration.ZERO);
                    }
                    Optional<List<Slot>> chosen = Evictions.choose(budget, held, estimate, state.slots.values());
                    if (chosen.isPresent()) {
                        chosen.get().forEach(v -> victims.add(Unloader.Victim.take(v)));
                        break;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw overBudget(slot, estimate, config.acquireTimeout());
                    }
                    if (!announced) {
                        // Said once, outside the lock (listeners never run under it), then wait.
                        waiting = "waiting up to " + KeepAlive.human(config.acquireTimeout()) + " for memory: "
                                + MemoryEstimate.mib(estimate) + " needed, " + MemoryEstimate.mib(budget - held)
                                + " of the budget " + MemoryEstimate.mib(budget) + " free, and too few idle models to make room";
                        break;
                    }
                    state.awaitNanos(slot, left);
                }
            } finally {
                state.lock.unlock();
            }
            if (waiting != null) {
                announced = true;
                events.publish(slot.id(), new LifecycleEvent.Progress(PoolState.POOL, slot.id(), waiting));
                continue;
            }
            String why = "evicted for memory: making room for '" + slot.id() + "' (budget "
                    + MemoryEstimate.mib(config.budget().getAsLong()) + ")";
            unloader.unload(victims, x -> why);
        }
    }

    /** Called with the lock held. */
    private ChatException overBudget(Slot slot, long estimate, Duration waited) {
        List<String> holding = state.slots.values().stream().filter(s -> s.reserved && s != slot)
                .sorted(Comparator.comparing((Slot s) -> s.lastUsed, Comparator.nullsFirst(Comparator.<Instant>naturalOrder())))
                .map(Slot::id).toList();
        String where = "model '" + slot.id() + "'" + (waited.isZero() ? "" : ", after waiting " + KeepAlive.human(waited) + " for memory");
        return new ChatException(PoolState.POOL, where, new PoolFailure.OverBudget(config.budget().getAsLong(), estimate, holding));
    }
}
