package org.snowcrash.spring.boot;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Snowcrash's lifecycle as Micrometer meters (Spring Boot binds every {@link MeterBinder} bean to
 * its registries):
 * <ul>
 *   <li>{@code snowcrash.lifecycle.events} (counter; tags {@code event}, {@code backend},
 *       {@code model}): every lifecycle event, {@code starting}, {@code ready}, {@code failed},
 *       {@code fallback}, {@code served-by}, {@code degraded}, {@code stopped}, {@code unloaded},
 *       {@code skipped}, {@code progress}; the start events of an eager start included, though
 *       they happen before the registry exists;</li>
 *   <li>{@code snowcrash.model.up} (gauge; tag {@code model}): 1 while the model is served
 *       (also when degraded), else 0;</li>
 *   <li>{@code snowcrash.model.degraded} (gauge; tag {@code model}): 1 while it is served after a
 *       fallback or its backend died, else 0;</li>
 *   <li>{@code snowcrash.model.start.seconds} (gauge; tag {@code model}): how long its latest
 *       successful start took.</li>
 * </ul>
 * The request-level meters ({@code gen_ai.client.operation}, token usage) are Spring AI's own,
 * from the chat observations.
 */
public final class SnowcrashMetrics implements MeterBinder {

    private final ModelStates states;
    private final SnowcrashRuntime runtime;

    /** Meters for these events and this runtime's models. */
    public SnowcrashMetrics(ModelStates states, SnowcrashRuntime runtime) {
        this.states = states;
        this.runtime = runtime;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        states.counts().keySet().forEach(key -> counter(registry, key));
        states.subscribe((model, event) -> counter(registry, new ModelStates.Count(ModelStates.kind(event), event.backendId(), model)));
        for (SnowcrashRuntime.Report r : runtime.health()) {
            String model = r.model();
            Gauge.builder("snowcrash.model.up", runtime, rt -> level(rt, model) == SnowcrashRuntime.Level.UP
                            || level(rt, model) == SnowcrashRuntime.Level.DEGRADED ? 1 : 0)
                    .tag("model", model).description("1 while a backend serves the model").register(registry);
            Gauge.builder("snowcrash.model.degraded", runtime, rt -> level(rt, model) == SnowcrashRuntime.Level.DEGRADED ? 1 : 0)
                    .tag("model", model).description("1 while the model is served after a fallback or its backend died")
                    .register(registry);
            Gauge.builder("snowcrash.model.start.seconds", states,
                            s -> s.of(model).lastStart().map(d -> d.toNanos() / 1e9).orElse(Double.NaN))
                    .tag("model", model).description("how long the latest successful start took").register(registry);
        }
    }

    private void counter(MeterRegistry registry, ModelStates.Count key) {
        // Registering an existing id returns the meter already there: safe to call for every event.
        FunctionCounter.builder("snowcrash.lifecycle.events", states.count(key), java.util.concurrent.atomic.AtomicLong::get)
                .tag("event", key.event()).tag("backend", key.backend()).tag("model", key.model())
                .description("Snowcrash lifecycle events").register(registry);
    }

    private static SnowcrashRuntime.Level level(SnowcrashRuntime runtime, String model) {
        return runtime.health().stream().filter(r -> r.model().equals(model)).findFirst()
                .map(SnowcrashRuntime.Report::level).orElse(SnowcrashRuntime.Level.NOT_STARTED);
    }
}
