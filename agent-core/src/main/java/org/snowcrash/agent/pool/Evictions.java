package org.snowcrash.agent.pool;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Which idle models to unload to make room: least recently used first, never a pinned one. A pure function. */
final class Evictions {

    private static final Comparator<Slot> LEAST_RECENTLY_USED = Comparator
            .comparing((Slot s) -> s.lastUsed, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()))
            .thenComparing(Slot::id);

    private Evictions() {
    }

    /**
     * The fewest least-recently-used idle models whose memory, once freed, lets {@code estimate}
     * more bytes fit beside {@code held} within {@code budget}; empty when even every idle model
     * would not free enough (then none should go: the request waits for busy models instead).
     */
    static Optional<List<Slot>> choose(long budget, long held, long estimate, Collection<Slot> slots) {
        long excess = held + estimate - budget;
        List<Slot> out = new ArrayList<>();
        for (Slot s : slots.stream().filter(Slot::idle).filter(s -> !s.limits.pinned()).sorted(LEAST_RECENTLY_USED).toList()) {
            if (excess <= 0) {
                break;
            }
            out.add(s);
            excess -= s.estimate;
        }
        return excess <= 0 ? Optional.of(out) : Optional.empty();
    }
}
