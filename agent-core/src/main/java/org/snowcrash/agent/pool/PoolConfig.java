package org.snowcrash.agent.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import org.snowcrash.api.Settings;
import org.snowcrash.api.SettingsReader;
import org.snowcrash.machine.Machine;
import org.snowcrash.machine.MachineSettings;
import org.snowcrash.models.CatalogEntry;
import org.snowcrash.models.ModelCatalog;

/**
 * The pool's configuration, read once when the pool is built, every problem reported at once.
 * Immutable.
 *
 * <p><b>The budget, in precedence order:</b> {@value #BUDGET_KEY} (a size, or {@code none});
 * else, on a Jetson, the GPU memory models plan for (its unified memory holds the models whole:
 * {@code snowcrash.gpu.memory}, else the detected memory minus {@code snowcrash.gpu.reserve});
 * else no limit. On a discrete GPU the budget stays unlimited unless set: the estimates count a
 * model's whole memory, in RAM and on the GPU, so the GPU's size is no bound for them.
 *
 * @param budget         the most estimated memory loaded models may hold; empty for no limit
 * @param budgetSource   where the budget came from, for messages
 * @param acquireTimeout {@value #ACQUIRE_TIMEOUT_KEY}: how long a request waits for memory or for a queue place
 * @param limits         per catalog model: keep-alive, most requests at once, queue length, pinned
 * @param loadAtStart    the models loaded when the pool starts: the pinned ones first (the budget
 *                       accounts for them before any other), in catalog order, then those of
 *                       {@value #PRELOAD_KEY} and the builder's that are not pinned, in their order
 */
record PoolConfig(OptionalLong budget, String budgetSource, Duration acquireTimeout, Map<String, Limits> limits,
                  List<String> loadAtStart) {

    static final String BUDGET_KEY = "snowcrash.memory.budget";
    static final String ACQUIRE_TIMEOUT_KEY = "snowcrash.pool.acquire-timeout";
    static final String KEEP_ALIVE_KEY = "snowcrash.pool.keep-alive";
    static final String PRELOAD_KEY = "snowcrash.pool.preload";
    static final Duration DEFAULT_ACQUIRE_TIMEOUT = Duration.ofSeconds(30);
    static final int DEFAULT_QUEUE = 16;

    /**
     * A model's admission and unloading settings.
     *
     * @param keepAlive   {@code model.<id>.keep-alive}
     * @param maxInFlight {@code model.<id>.max-in-flight}: requests running at once
     * @param queue       {@code model.<id>.queue}: requests that may wait beyond those
     * @param pinned      {@code model.<id>.pinned}: loaded when the pool starts, never unloaded for
     *                    idleness or evicted for memory (only {@link ModelPool#close()} unloads it)
     */
    record Limits(KeepAlive keepAlive, int maxInFlight, int queue, boolean pinned) {
    }

    PoolConfig {
        limits = Map.copyOf(limits);
        loadAtStart = List.copyOf(loadAtStart);
    }

    /**
     * Reads the pool's keys for every model of the catalog.
     *
     * @throws org.snowcrash.api.ConfigurationException naming every bad value with its source
     */
    static PoolConfig read(Settings settings, ModelCatalog catalog) {
        return read(settings, catalog, Set.of(), List.of());
    }

    /**
     * Reads the pool's keys, with models the builder pins and preloads on top of configuration's.
     *
     * @throws org.snowcrash.api.ConfigurationException naming every bad value with its source
     */
    static PoolConfig read(Settings settings, ModelCatalog catalog, Set<String> pinMore, List<String> preloadMore) {
        SettingsReader r = settings.reader();
        r.rejectUnknown("snowcrash.pool.", List.of(ACQUIRE_TIMEOUT_KEY, KEEP_ALIVE_KEY, PRELOAD_KEY));
        OptionalLong budget = OptionalLong.empty();
        String budgetSource = "no limit (" + BUDGET_KEY + " is not set)";
        Optional<String> rawBudget = settings.get(BUDGET_KEY);
        if (rawBudget.isPresent() && !rawBudget.get().trim().equalsIgnoreCase("none")) {
            budget = OptionalLong.of(r.bytes(BUDGET_KEY, Long.MAX_VALUE));
            budgetSource = BUDGET_KEY + " (" + settings.sourceOf(BUDGET_KEY) + ")";
        } else if (rawBudget.isPresent()) {
            budgetSource = "no limit (" + BUDGET_KEY + "=none)";
        } else if (catalog.gpuMemory().isPresent() && MachineSettings.machine(settings) instanceof Machine.Jetson) {
            budget = catalog.gpuMemory();
            budgetSource = catalog.gpuMemorySource() + " (a Jetson's models live in its unified memory)";
        }
        Duration acquire = r.duration(ACQUIRE_TIMEOUT_KEY, DEFAULT_ACQUIRE_TIMEOUT);
        KeepAlive defaultKeepAlive = keepAlive(settings, r, KEEP_ALIVE_KEY, KeepAlive.DEFAULT);
        Map<String, Limits> limits = new LinkedHashMap<>();
        for (CatalogEntry e : catalog.entries()) {
            String p = "model." + e.id() + ".";
            limits.put(e.id(), new Limits(
                    keepAlive(settings, r, p + "keep-alive", defaultKeepAlive),
                    // Default: the model's server slots (-np). More would wait inside the server,
                    // where its silence counts against the idle timeout and can be taken for a
                    // death; the pool's own queue is where requests wait, bounded and visible.
                    r.integer(p + "max-in-flight", e.parallel(), 1, 1024),
                    r.integer(p + "queue", DEFAULT_QUEUE, 0, 1_000_000),
                    pinMore.contains(e.id()) || r.bool(p + "pinned", false)));
        }
        for (String id : pinMore) {
            if (!limits.containsKey(id)) {
                r.problem("pinned model", id, "is not in the catalog (known: " + limits.keySet() + ")");
            }
        }
        List<String> preload = new ArrayList<>();
        settings.get(PRELOAD_KEY).ifPresent(raw -> preload.addAll(ids(raw)));
        preload.addAll(preloadMore);
        for (String id : preload) {
            if (!limits.containsKey(id)) {
                r.problem(PRELOAD_KEY, id, "is not in the catalog (known: " + limits.keySet() + ")");
            }
        }
        r.throwIfProblems();
        List<String> atStart = new ArrayList<>();
        limits.forEach((id, l) -> {
            if (l.pinned()) {
                atStart.add(id);
            }
        });
        preload.stream().filter(id -> !atStart.contains(id)).distinct().forEach(atStart::add);
        return new PoolConfig(budget, budgetSource, acquire, limits, atStart);
    }

    /** {@code demo, phi-3} or {@code demo phi-3}: ids separated by commas or spaces. */
    static List<String> ids(String raw) {
        return Arrays.stream(raw.split("[,\\s]+")).map(String::trim).filter(x -> !x.isEmpty()).toList();
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
