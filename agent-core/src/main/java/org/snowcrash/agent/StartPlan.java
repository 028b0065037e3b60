package org.snowcrash.agent;

import org.snowcrash.api.Capability;

import java.util.List;
import java.util.Set;

import org.snowcrash.api.EventSink;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.agent.internal.CatalogSpecs;
import org.snowcrash.models.ModelCatalog;
import org.snowcrash.registry.BackendRegistry;
import org.snowcrash.registry.Candidate;
import org.snowcrash.registry.Discovery;

/**
 * What a {@link RunningModel} starts, resolved once at build time and kept for restarts: the
 * configuration, the model, and the backends in try order.
 *
 * @param settings  the configuration
 * @param spec      the model
 * @param discovery the backends, in try order (already narrowed to one when forced)
 * @param needs     what the serving backend must honour (tools, JSON schema): backends that lack it are skipped
 */
record StartPlan(Settings settings, ModelSpec spec, Discovery discovery, Set<Capability> needs) {

    StartPlan {
        needs = Set.copyOf(needs);
    }

    /**
     * The plan for a builder's choices: the backends discovered (unless given), narrowed to one
     * when forced, and the model from {@code spec} or else the catalog's {@code modelId}.
     */
    static StartPlan resolve(Settings settings, Discovery discovery, String backendId, ModelSpec spec, String modelId,
                             Set<Capability> needs) {
        Discovery all = discovery != null ? discovery : BackendRegistry.discover(settings);
        Discovery d = backendId != null ? all.select(backendId) : all;
        // Every discovered backend's per-model keys, not only the forced one's: the same
        // configuration file serves `--backend llamacpp` and the Docker default alike.
        ModelSpec model = spec;
        if (model == null) {
            if (modelId == null) {
                throw new IllegalStateException("set a model id (model(\"llama\")) or a spec");
            }
            model = CatalogSpecs.resolve(ModelCatalog.from(settings, all.modelSettings()), modelId);
        }
        return new StartPlan(settings, model, d, needs);
    }

    /** Starts the model on the first backend that can, publishing every step to {@code events}. */
    Launch launch(EventSink events) {
        return FallbackChain.start(discovery, spec, settings, events, needs);
    }

    /** The enabled backends tried before {@code backendId} (for {@link FailBack}); none when it is first or unknown. */
    StartPlan before(String backendId) {
        List<Candidate> all = discovery.candidates();
        int at = -1;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).id().equals(backendId)) {
                at = i;
                break;
            }
        }
        List<Candidate> ahead = at < 0 ? List.of() : all.subList(0, at).stream().filter(Candidate::enabled).toList();
        return new StartPlan(settings, spec, new Discovery(ahead, discovery.broken()), needs);
    }

    /** The same plan without these backends (for {@link Recovery#NEXT}). */
    StartPlan without(Set<String> backendIds) {
        List<Candidate> rest = discovery.candidates().stream().filter(c -> !backendIds.contains(c.id())).toList();
        return new StartPlan(settings, spec, new Discovery(rest, discovery.broken()), needs);
    }
}
