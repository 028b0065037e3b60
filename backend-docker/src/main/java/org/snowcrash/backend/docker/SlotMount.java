package org.snowcrash.backend.docker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.ModelSpec;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;

import okhttp3.OkHttpClient;

/**
 * Whether a model's container gets the slot cache, and if so its folder mounted read-write at
 * {@value #MOUNT} with {@code --slot-save-path}. It applies when {@code backend.docker.slot-cache}
 * is on, the model has one slot (with several, which slot serves a conversation is the server's
 * choice), the engine runs on this machine (the folder must be on the engine's host) and the
 * server runs as the caller's own ids (so that it may write the caller's private folder and the
 * caller may delete what it wrote). Otherwise the model runs as before, and the log says why.
 */
final class SlotMount {

    private static final Logger LOG = LoggerFactory.getLogger(SlotMount.class);
    static final String MOUNT = "/slots";

    private final SlotStore store;

    private SlotMount(SlotStore store) {
        this.store = store;
    }

    /** The model's mount, or empty (with the reason at info) when the slot cache does not apply. */
    static Optional<SlotMount> decide(DockerSettings settings, ModelSpec spec) {
        Optional<String> why = whyNot(settings, spec.parallel(), CallerIds.own());
        if (why.isPresent()) {
            LOG.info("model {}: no slot cache: {}", spec.id(), why.get());
            return Optional.empty();
        }
        Optional<SlotDirectory> dir = SlotDirectory.open(settings.slotCache().dir(), Labels.OWNER_ID);
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new SlotMount(SlotStore.of(dir.get().modelDir(spec.id(), spec.file()), settings.slotCache().maxBytes())));
        } catch (IOException e) {
            LOG.info("model {}: no slot cache: cannot make its folder: {}", spec.id(), e.toString());
            return Optional.empty();
        }
    }

    /** Why the slot cache does not apply, if it does not. Pure, for the tests. */
    static Optional<String> whyNot(DockerSettings settings, int parallel, String ownIds) {
        if (!settings.slotCache().on()) {
            return Optional.of(DockerSettings.PREFIX + "slot-cache is false");
        }
        if (parallel != 1) {
            return Optional.of("it has " + parallel + " slots; the slot cache follows a conversation in one slot");
        }
        if (BindAddress.engineHost(settings.host()).filter(h -> !BindAddress.isLoopbackHost(h)).isPresent()) {
            return Optional.of("the Docker engine at " + settings.host() + " is on another host, where this folder is not");
        }
        if (ownIds.isEmpty()) {
            return Optional.of("this JVM cannot tell the caller's uid:gid, which the server must run as to write the folder");
        }
        if (!settings.user().isEmpty() && !settings.user().equals(ownIds)) {
            return Optional.of("the server runs as " + settings.user() + " (" + DockerSettings.PREFIX
                    + "user), not as the caller (" + ownIds + "), and could not write the caller's private folder");
        }
        return Optional.empty();
    }

    /** The plan with the folder mounted and the server told to save there. */
    ServerContainer.Plan apply(ServerContainer.Plan plan) {
        List<String> cmd = new ArrayList<>(plan.cmd());
        cmd.addAll(List.of("--slot-save-path", MOUNT + "/"));
        List<Bind> binds = new ArrayList<>(Arrays.asList(plan.hostConfig().getBinds()));
        binds.add(new Bind(store.dir().toString(), new Volume(MOUNT), AccessMode.rw));
        plan.hostConfig().withBinds(binds);
        return new ServerContainer.Plan(plan.name(), plan.image(), plan.user(), plan.entrypoint(), cmd, plan.env(), plan.labels(),
                plan.exposed(), plan.hostConfig());
    }

    /** The running container's side, once its server answers. */
    SlotCache cache(OkHttpClient http, String root, String apiKey, DockerSettings settings, String where,
                    org.snowcrash.api.EventSink events, String modelId) {
        return new SlotCache(store, new SlotActions(http, root, apiKey, settings.requestTimeout()), where, events, modelId);
    }

    SlotStore store() {
        return store;
    }
}
