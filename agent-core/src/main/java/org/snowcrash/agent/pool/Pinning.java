package org.snowcrash.agent.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import org.snowcrash.api.ConfigurationException;
import org.snowcrash.models.CatalogEntry;
import org.snowcrash.models.MemoryEstimate;
import org.snowcrash.models.ModelCatalog;

/** The budget check pinned models must pass before a pool loads them. */
final class Pinning {

    private Pinning() {
    }

    /**
     * Refuses pinned models that cannot all be held at once: they are never evicted, so a budget
     * smaller than their estimates together would leave one of them failing at every start.
     * A pinned model whose file cannot be read is not counted here: its start reports that.
     *
     * @throws ConfigurationException naming the budget, its source and every pinned model's estimate
     */
    static void checkBudget(PoolConfig config, ModelCatalog catalog, Estimates estimates) {
        if (config.budget().isEmpty()) {
            return;
        }
        long sum = 0;
        List<String> parts = new ArrayList<>();
        for (CatalogEntry e : catalog.entries()) {
            PoolConfig.Limits l = config.limits().get(e.id());
            if (l == null || !l.pinned()) {
                continue;
            }
            OptionalLong est;
            try {
                // The spec, not the entry's file: it writes the built-in demo model on first use, as a start would.
                est = estimates.peek(catalog.spec(e.id()).file(), e.contextSize(), e.batchSize());
            } catch (java.io.IOException | RuntimeException ex) {
                est = OptionalLong.empty();
            }
            if (est.isPresent()) {
                sum += est.getAsLong();
                parts.add(e.id() + " " + MemoryEstimate.mib(est.getAsLong()));
            }
        }
        long budget = config.budget().getAsLong();
        if (sum > budget) {
            throw new ConfigurationException(List.of(new ConfigurationException.Problem(PoolConfig.BUDGET_KEY,
                    MemoryEstimate.mib(budget), config.budgetSource(), "too small for the pinned models, which are never"
                    + " unloaded: " + String.join(" + ", parts) + " = " + MemoryEstimate.mib(sum) + "; raise the budget"
                    + " (or snowcrash.gpu.memory / lower snowcrash.gpu.reserve) or pin fewer models")));
        }
    }
}
