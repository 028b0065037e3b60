package org.snowcrash.agent.pool;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.snowcrash.api.Settings;
import org.snowcrash.api.SettingsReader;
import org.snowcrash.models.CatalogEntry;
import org.snowcrash.models.ModelCatalog;

/**
 * The pool's configuration, read once when the pool is built, every problem reported at once.
 * Immutable.
 *
 * @param budget         {@value #BUDGET_KEY}: the most estimated memory loaded models may hold; empty for no limit
 * @param acquireTimeout {@value #ACQUIRE_TIMEOUT_KEY}: how long a request waits for memory or for a queue place
 * @param limits         per catalog model: keep-alive, most requests at once, queue length
 */
record PoolConfig(OptionalLong budget, Duration acquireTimeout, Map<String, Limits> limits) {

    static final String BUDGET_KEY = "snowcrash.memory.budget";
    static final String ACQUIRE_TIMEOUT_KEY = "snowcrash.pool.acquire-timeout";
    static final String KEEP_ALIVE_KEY = "snowcrash.pool.keep-alive";
    static final Duration DEFAULT_ACQUIRE_TIMEOUT = Duration.ofSeconds(30);
    /** llama-server's own slot count when it picks it (as Snowcrash lets it): four requests at once. */
    static final int DEFAULT_MAX_IN_FLIGHT = 4;
    static final int DEFAULT_QUEUE = 16;

    /**
     * A model's admission and unloading settings.
     *
     * @param keepAlive   {@code model.<id>.keep-alive}
     * @param maxInFlight {@code model.<id>.max-in-flight}: requests running at once
     * @param queue       {@code model.<id>.queue}: requests that may wait beyond those
     */
    record Limits(KeepAlive keepAlive, int maxInFlight, int queue) {
    }

    PoolConfig {
        limits = Map.copyOf(limits);
    }

    /**
     * Reads the pool's keys for every model of the catalog.
     *
     * @throws org.snowcrash.api.ConfigurationException naming every bad value with its source
     */
    static PoolConfig read(Settings settings, ModelCatalog catalog) {
        SettingsReader r = settings.reader();
        r.rejectUnknown("snowcrash.pool.", List.of(ACQUIRE_TIMEOUT_KEY, KEEP_ALIVE_KEY));
        OptionalLong budget = OptionalLong.empty();
        Optional<String> rawBudget = settings.get(BUDGET_KEY);
        if (rawBudget.isPresent() && !rawBudget.get().trim().equalsIgnoreCase("none")) {
            budget = OptionalLong.of(r.bytes(BUDGET_KEY, Long.MAX_VALUE));
        }
        Duration acquire = r.duration(ACQUIRE_TIMEOUT_KEY, DEFAULT_ACQUIRE_TIMEOUT);
        KeepAlive defaultKeepAlive = keepAlive(settings, r, KEEP_ALIVE_KEY, KeepAlive.DEFAULT);
        Map<String, Limits> limits = new LinkedHashMap<>();
        for (CatalogEntry e : catalog.entries()) {
            String p = "model." + e.id() + ".";
            limits.put(e.id(), new Limits(
                    keepAlive(settings, r, p + "keep-alive", defaultKeepAlive),
                    r.integer(p + "max-in-flight", DEFAULT_MAX_IN_FLIGHT, 1, 1024),
                    r.integer(p + "queue", DEFAULT_QUEUE, 0, 1_000_000)));
        }
        r.throwIfProblems();
        return new PoolConfig(budget, acquire, limits);
    }

    private static KeepAlive keepAlive(Settings settings, SettingsReader r, String key, KeepAlive defaultValue) {
        Optional<String> raw = settings.get(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        Optional<KeepAlive> parsed = KeepAlive.parse(raw.get());
        if (parsed.isEmpty()) {
            r.problem(key, raw.get(), "must be a duration such as 5m or 30s, 0 to unload after each request, "
                    + "or negative (-1) never to unload for being idle");
            return defaultValue;
        }
        return parsed.get();
    }
}
