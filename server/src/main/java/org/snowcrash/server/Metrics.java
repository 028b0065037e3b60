package org.snowcrash.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import org.snowcrash.agent.pool.ModelPool;
import org.snowcrash.agent.pool.PooledModel;
import org.snowcrash.api.LifecycleEvent;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * The server's metrics, kept by the Prometheus Java client in a registry of their own and
 * written in its text format for {@code GET /metrics}. Thread-safe.
 *
 * <p>Request metrics are counted by the chat handler; starts, fallbacks, degradations and
 * evictions come from the models' lifecycle events; loaded models are counted at each scrape.
 */
final class Metrics implements ModelPool.ModelListener {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private final Counter requests = Counter.builder().name("snowcrash_requests")
            .help("Chat completion requests by model, streaming or not, and HTTP status (499: the client went away)")
            .labelNames("model", "stream", "code").register(registry);
    private final Gauge inFlight = Gauge.builder().name("snowcrash_requests_in_flight")
            .help("Chat completion requests running now").labelNames("model").register(registry);
    private final Counter tokens = Counter.builder().name("snowcrash_tokens")
            .help("Tokens by model and kind (prompt or completion), as the model's tokenizer counted them")
            .labelNames("model", "kind").register(registry);
    private final Histogram firstToken = Histogram.builder().name("snowcrash_time_to_first_token_seconds")
            .unit(Unit.SECONDS).help("From the request's arrival to its first generated piece (model start included)")
            .labelNames("model").classicOnly().withoutExemplars()
            .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
            .register(registry);
    private final Histogram duration = Histogram.builder().name("snowcrash_request_duration_seconds")
            .unit(Unit.SECONDS).help("From the request's arrival to its last byte").labelNames("model", "stream")
            .classicOnly().withoutExemplars()
            .classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
            .register(registry);
    private final Counter starts = Counter.builder().name("snowcrash_model_starts")
            .help("Model starts by backend and outcome (ready or failed), restarts after a death included")
            .labelNames("model", "backend", "outcome").register(registry);
    private final Counter fallbacks = Counter.builder().name("snowcrash_fallbacks")
            .help("Times a model's start moved on from a backend to the next").labelNames("model", "backend")
            .register(registry);
    private final Counter degraded = Counter.builder().name("snowcrash_degraded")
            .help("Times a backend died under a loaded model").labelNames("model", "backend").register(registry);
    private final Counter evictions = Counter.builder().name("snowcrash_evictions")
            .help("Models unloaded by the pool: keep-alive expired or evicted for the memory budget")
            .labelNames("model").register(registry);

    /** @param models what the scrape counts as loaded */
    Metrics(Supplier<List<PooledModel>> models) {
        GaugeWithCallback.builder().name("snowcrash_models_loaded")
                .help("Models holding memory now (starting, ready, degraded or unloading)")
                .callback(cb -> cb.call(models.get().stream().filter(m -> m.state() != PooledModel.State.UNLOADED).count()))
                .register(registry);
    }

    /** One finished chat completion request. */
    void request(String model, boolean stream, int code, Duration took) {
        requests.labelValues(model, String.valueOf(stream), String.valueOf(code)).inc();
        duration.labelValues(model, String.valueOf(stream)).observe(took.toNanos() / 1e9);
    }

    void tokens(String model, int prompt, int completion) {
        tokens.labelValues(model, "prompt").inc(prompt);
        tokens.labelValues(model, "completion").inc(completion);
    }

    void firstToken(String model, Duration took) {
        firstToken.labelValues(model).observe(took.toNanos() / 1e9);
    }

    void inFlight(String model, int delta) {
        inFlight.labelValues(model).inc(delta);
    }

    @Override
    public void publish(String modelId, LifecycleEvent event) {
        if (event instanceof LifecycleEvent.Ready r) {
            starts.labelValues(modelId, r.backendId(), "ready").inc();
        } else if (event instanceof LifecycleEvent.Failed f) {
            starts.labelValues(modelId, f.backendId(), "failed").inc();
        } else if (event instanceof LifecycleEvent.Fallback f) {
            fallbacks.labelValues(modelId, f.backendId()).inc();
        } else if (event instanceof LifecycleEvent.Degraded d) {
            degraded.labelValues(modelId, d.backendId()).inc();
        } else if (event instanceof LifecycleEvent.Unloaded) {
            evictions.labelValues(modelId).inc(); // the reason is free text: no label of unbounded values
        }
    }

    /** The content type of {@link #scrape()}. */
    String contentType() {
        return writer.getContentType();
    }

    /** Every metric in Prometheus' text format. */
    byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }
}
