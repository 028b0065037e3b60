package org.snowcrash.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

import org.snowcrash.api.EventSink;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.models.ModelCatalog;
import org.snowcrash.registry.BackendRegistry;
import org.snowcrash.registry.Configuration;
import org.snowcrash.registry.Discovery;

/**
 * What every front end (the {@link Agent}, the LangChain4j adapter) asks for when it starts a
 * model, resolved the same way: configuration (loaded when not given), the catalog model or an
 * explicit spec, discovered backends (or given ones), optionally narrowed to one backend.
 *
 * @param settings  configuration, or {@code null} to load it as the README says
 * @param modelId   catalog id, used when {@code spec} is {@code null}
 * @param spec      an explicit spec, or {@code null}
 * @param backendId one backend to force, or {@code null}
 * @param discovery backends to use instead of discovering, or {@code null}
 */
public record StartRequest(Settings settings, String modelId, ModelSpec spec, String backendId, Discovery discovery) {

    /** The configuration to use. */
    public Settings resolvedSettings() {
        return settings != null ? settings : Configuration.load(Optional.empty(), Map.of());
    }

    /** Resolves everything and runs the fallback chain. */
    public Resolved resolve() {
        Settings s = resolvedSettings();
        ModelSpec m = spec;
        if (m == null) {
            if (modelId == null) {
                throw new IllegalStateException("set a model id or a spec");
            }
            try {
                m = ModelCatalog.from(s).spec(modelId);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the demo model: " + e.getMessage(), e);
            }
        }
        Discovery d = discovery != null ? discovery : BackendRegistry.discover(s);
        if (backendId != null) {
            d = d.select(backendId);
        }
        return new Resolved(s, m, d);
    }

    /**
     * A resolved request.
     *
     * @param settings  the configuration
     * @param spec      the model
     * @param discovery the backends, in try order
     */
    public record Resolved(Settings settings, ModelSpec spec, Discovery discovery) {
        /** Starts the model on the first backend that can. */
        public Launch launch(EventSink events) {
            return FallbackChain.start(discovery, spec, settings, events);
        }
    }
}
