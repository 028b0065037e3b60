package org.snowcrash.backend.docker;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.StartFailure;
import org.snowcrash.machine.EngineGpu;
import org.snowcrash.machine.GpuAccess;
import org.snowcrash.machine.Machine;
import org.snowcrash.machine.ServerImages;

import com.github.dockerjava.api.DockerClient;

/**
 * How a model's container gets the GPU: {@code backend.docker.gpu} when set, else the machine's
 * rule ({@link ServerImages#autoAccess}). A GPU image that auto picked and that cannot get its
 * GPU is refused at start with the fix, rather than run with no GPU and fail in the server.
 */
final class GpuDecision {

    private static final Logger LOG = LoggerFactory.getLogger(GpuDecision.class);

    private GpuDecision() {
    }

    /** What the engine offers: {@code info}'s runtimes, and the API version when a device request may be chosen. */
    static EngineGpu engine(DockerClient docker, DockerSettings settings) {
        return engine(docker, settings, false);
    }

    /** As {@link #engine(DockerClient, DockerSettings)}; {@code fully}: ask the API version even when no device request could be chosen. */
    static EngineGpu engine(DockerClient docker, DockerSettings settings, boolean fully) {
        if (settings.gpu() == GpuMode.OFF && !fully) {
            return new EngineGpu(Set.of(), Optional.empty()); // not asked: no GPU either way
        }
        Map<String, ?> runtimes = docker.infoCmd().exec().getRuntimes();
        boolean mayRequestDevices = fully || settings.gpu() == GpuMode.DEVICES
                || (settings.gpu() == GpuMode.AUTO && settings.hostChoice().machine() instanceof Machine.DiscreteGpu);
        Optional<String> api = mayRequestDevices ? Optional.ofNullable(docker.versionCmd().exec().getApiVersion()) : Optional.empty();
        return new EngineGpu(runtimes == null ? Set.of() : runtimes.keySet(), api);
    }

    /**
     * The access for a container, or a start failure naming the fix when the configuration asks
     * for what the engine cannot give.
     */
    static GpuAccess decide(DockerSettings settings, EngineGpu engine, String modelId) throws BackendStartException {
        switch (settings.gpu()) {
            case OFF:
                return GpuAccess.NONE;
            case ON:
                if (engine.hasNvidiaRuntime()) {
                    return GpuAccess.NVIDIA_RUNTIME;
                }
                throw refuse(modelId, DockerSettings.PREFIX + "gpu=on but the Docker engine has no nvidia runtime (runtimes: "
                        + new java.util.TreeSet<>(engine.runtimes()) + ")");
            case DEVICES:
                if (engine.supportsDeviceRequests()) {
                    return GpuAccess.DEVICE_REQUESTS;
                }
                throw refuse(modelId, DockerSettings.PREFIX + "gpu=devices but the Docker engine takes no device requests ("
                        + engine.describe() + "; they need API 1.40, Docker 19.03)");
            default:
                break;
        }
        ServerImages.Access a = ServerImages.autoAccess(settings.hostChoice().machine(), engine);
        if (a.problem().isPresent()) {
            HostChoice h = settings.hostChoice();
            if (h.imageAuto() && h.choice().gpuImage()) {
                throw refuse(modelId, "the image " + settings.image() + " was chosen for this machine's GPU, but " + a.why()
                        + ": " + a.problem().get());
            }
            LOG.warn("model {}: running without a GPU: {}: {}", modelId, a.why(), a.problem().get());
        }
        return a.access();
    }

    private static BackendStartException refuse(String modelId, String why) {
        return new BackendStartException(DockerBackend.ID, modelId, new StartFailure.RuntimeUnavailable(why));
    }
}
