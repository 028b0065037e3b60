package org.snowcrash.backend.docker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.EventSink;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.StartFailure;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.PullResponseItem;

/** Makes the server image present as the pull policy says, and tells how it starts its server. */
final class Images {

    private static final Logger LOG = LoggerFactory.getLogger(Images.class);

    private final DockerClient docker;
    private final DockerSettings settings;
    private final EventSink events;

    Images(DockerClient docker, DockerSettings settings, EventSink events) {
        this.docker = docker;
        this.settings = settings;
        this.events = events;
    }

    /**
     * Ensures the image is present (pulling per policy; pull progress goes to the events) and
     * returns the words that start the server in it: the image's entrypoint, then the configured
     * command prefix. Our own entrypoint replaces the image's, so it runs these words itself.
     */
    List<String> serverCommand(String modelId) throws BackendStartException {
        InspectImageResponse image = ensurePresent(modelId);
        List<String> words = new ArrayList<>();
        if (image.getConfig() != null && image.getConfig().getEntrypoint() != null) {
            words.addAll(Arrays.asList(image.getConfig().getEntrypoint()));
        }
        words.addAll(settings.commandPrefix());
        return words;
    }

    private InspectImageResponse ensurePresent(String modelId) throws BackendStartException {
        String image = settings.image();
        InspectImageResponse present;
        try {
            present = docker.inspectImageCmd(image).exec();
        } catch (NotFoundException e) {
            present = null;
        }
        if (settings.pull() == PullPolicy.NEVER && present == null) {
            throw new BackendStartException(DockerBackend.ID, modelId, new DockerStartFailure.ImageUnavailable(image,
                    "not present locally and " + DockerSettings.PREFIX + "pull=never"));
        }
        if (present != null && settings.pull() != PullPolicy.ALWAYS) {
            return present;
        }
        events.publish(new LifecycleEvent.Progress(DockerBackend.ID, modelId, "pulling image " + image));
        try {
            String[] lastStatus = {""};
            boolean done = docker.pullImageCmd(image).exec(new ResultCallback.Adapter<PullResponseItem>() {
                @Override
                public void onNext(PullResponseItem item) {
                    String s = item.getStatus();
                    if (s != null && !s.equals(lastStatus[0])) {
                        lastStatus[0] = s;
                        events.publish(new LifecycleEvent.Progress(DockerBackend.ID, modelId, "pull: " + s
                                + (item.getId() == null ? "" : " " + item.getId())));
                    }
                }
            }).awaitCompletion(30, TimeUnit.MINUTES);
            if (!done) {
                throw new BackendStartException(DockerBackend.ID, modelId,
                        new DockerStartFailure.ImageUnavailable(image, "pull did not finish in 30 minutes"));
            }
            return docker.inspectImageCmd(image).exec();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendStartException(DockerBackend.ID, modelId, new StartFailure.Interrupted());
        } catch (RuntimeException e) {
            if (present != null) {
                LOG.warn("pull of {} failed, using the local image: {}", image, DockerEngine.rootMessage(e));
                return present;
            }
            throw new BackendStartException(DockerBackend.ID, modelId, new DockerStartFailure.ImageUnavailable(image,
                    "not present locally and the pull failed: " + DockerEngine.rootMessage(e).strip()), e);
        }
    }
}
