package org.snowcrash.agent.pool;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;

/**
 * Why a {@link ModelPool} refused a request before sending anything to a model: the pool's own
 * failures, carried by a {@link ChatException} as {@link ChatFailure.Specific} ones. They belong to
 * the pool, not to the SPI: no backend ever raises them. Front ends that know the pool match them
 * (the server answers {@link Busy} with 429 and {@code Retry-After}, {@link OverBudget} with 503);
 * others show {@link #describe()} and {@link #code()}.
 */
public sealed interface PoolFailure extends ChatFailure.Specific {

    /**
     * A model pool refused the request at once: the model already runs its most requests at
     * once and its queue is full (or the request waited its bound in the queue). Nothing was sent
     * to the model; retrying later may succeed (a server answers 429 with {@code Retry-After}).
     *
     * @param modelId     the model asked for
     * @param maxInFlight the most requests the model runs at once
     * @param queueLimit  the most requests that may wait for it
     * @param retryAfter  a guess of when a retry may be admitted (at least one second)
     */
    record Busy(String modelId, int maxInFlight, int queueLimit, Duration retryAfter) implements PoolFailure {
        public Busy {
            Objects.requireNonNull(modelId, "modelId");
            Objects.requireNonNull(retryAfter, "retryAfter");
        }

        /** {@code model_busy}. */
        @Override
        public String code() {
            return "model_busy";
        }

        @Override
        public String describe() {
            return "model '" + modelId + "' is busy (it runs at most " + maxInFlight + " requests at once and queues at most "
                    + queueLimit + "); retry after " + Math.max(1, retryAfter.toSeconds()) + " s";
        }
    }

    /**
     * A model pool could not start the model within its memory budget: the loaded models that
     * would have to go had requests in flight for as long as the pool waits, or the model alone
     * needs more than the budget. Nothing was sent to the model (a server answers 503).
     *
     * @param budgetBytes   the budget ({@code snowcrash.memory.budget})
     * @param estimateBytes the estimated memory of the model asked for
     * @param loaded        the models holding memory when the pool gave up, least recently used first
     */
    record OverBudget(long budgetBytes, long estimateBytes, List<String> loaded) implements PoolFailure {
        public OverBudget {
            loaded = List.copyOf(loaded);
        }

        /** {@code over_memory_budget}. */
        @Override
        public String code() {
            return "over_memory_budget";
        }

        @Override
        public String describe() {
            if (estimateBytes > budgetBytes) {
                return "the model needs an estimated " + mib(estimateBytes) + ", more than the whole memory budget of "
                        + mib(budgetBytes) + " (snowcrash.memory.budget)";
            }
            return "the model needs an estimated " + mib(estimateBytes) + " and the memory budget of " + mib(budgetBytes)
                    + " (snowcrash.memory.budget) has no room for it beside the loaded models ("
                    + (loaded.isEmpty() ? "none" : String.join(", ", loaded))
                    + "), too few of which were idle to make room";
        }

        private static String mib(long bytes) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
    }
}
