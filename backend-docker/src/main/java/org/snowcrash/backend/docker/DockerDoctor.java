package org.snowcrash.backend.docker;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.Settings;
import org.snowcrash.machine.DoctorCheck;
import org.snowcrash.machine.EngineGpu;
import org.snowcrash.machine.Finding;
import org.snowcrash.machine.Finding.Status;
import org.snowcrash.machine.GpuAccess;
import org.snowcrash.machine.Machine;
import org.snowcrash.machine.ServerImages;

import com.github.dockerjava.api.DockerClient;

/**
 * The Docker backend's part of {@code snowcrash doctor}: the image, command and GPU access it
 * would use and whether each came from {@code auto} or from configuration, whether the engine
 * answers, what it offers for GPUs, and what to change when something is off. Bounded by the
 * ping timeout when no engine answers, then by the API timeout per call; never throws.
 */
public final class DockerDoctor implements DoctorCheck {

    /** For ServiceLoader; does nothing. */
    public DockerDoctor() {
    }

    @Override
    public String id() {
        return DockerBackend.ID;
    }

    @Override
    public List<Finding> check(Settings settings, Map<String, String> environment, Machine machine) {
        DockerSettings s;
        try {
            s = DockerSettings.from(settings, environment);
        } catch (ConfigurationException e) {
            return List.of(Finding.fix(Status.PROBLEM, "docker configuration", e.getMessage(), "correct the keys named above"));
        }
        List<Finding> out = new ArrayList<>();
        out.add(image(s, settings));
        out.add(command(s, settings));
        Optional<String> unreachable;
        try {
            unreachable = DockerEngine.whyUnreachable(s, s.pingTimeout());
        } catch (RuntimeException e) {
            unreachable = Optional.of("the Docker engine check failed: " + DockerEngine.rootMessage(e));
        }
        if (unreachable.isPresent()) {
            out.add(Finding.fix(Status.PROBLEM, "docker engine", unreachable.get(), engineFix(unreachable.get())));
            out.add(Finding.of(Status.INFO, "docker gpu", "backend.docker.gpu=" + s.gpu().key() + " ("
                    + settings.sourceOf(DockerSettings.PREFIX + "gpu") + "); not checked without an engine"));
            return out;
        }
        out.add(Finding.of(Status.OK, "docker engine", "answers at " + s.host()));
        out.add(gpu(s, settings));
        return out;
    }

    private static Finding image(DockerSettings s, Settings settings) {
        HostChoice h = s.hostChoice();
        if (h.imageAuto()) {
            return Finding.of(Status.OK, "docker image", s.image() + " (auto: " + h.choice().why() + ")");
        }
        String key = DockerSettings.PREFIX + "image";
        String text = s.image() + " (" + key + " from " + settings.sourceOf(key) + ")";
        if (h.choice().gpuImage() && looksLikeCpuImage(s.image())) {
            return Finding.fix(Status.WARN, "docker image", text + " is a CPU build on a GPU machine (" + h.machine().describe() + ")",
                    "remove " + key + " (auto picks " + h.choice().image() + ") or set it to a GPU build of llama-server");
        }
        return Finding.of(Status.INFO, "docker image", text + "; auto would pick " + h.choice().image());
    }

    /** llama.cpp's own CPU server images ({@code server}, {@code server-b<build>}); other explicit images are not judged. */
    static boolean looksLikeCpuImage(String image) {
        return image.matches("ghcr\\.io/ggml-org/llama\\.cpp:server(-b\\d+)?");
    }

    private static Finding command(DockerSettings s, Settings settings) {
        String words = s.commandPrefix().isEmpty() ? "the image's entrypoint" : String.join(" ", s.commandPrefix());
        String key = DockerSettings.PREFIX + "command-prefix";
        String from = s.hostChoice().prefixAuto() ? "auto, for this image" : settings.get(key).isPresent()
                ? key + " from " + settings.sourceOf(key) : "default";
        return Finding.of(Status.INFO, "docker command", words + " (" + from + ")");
    }

    private static Finding gpu(DockerSettings s, Settings settings) {
        String key = DockerSettings.PREFIX + "gpu";
        String from = s.gpu() == GpuMode.AUTO ? "auto" : key + "=" + s.gpu().key() + " from " + settings.sourceOf(key);
        EngineGpu engine;
        DockerClient docker = DockerEngine.client(s);
        try {
            engine = GpuDecision.engine(docker, s, true);
        } catch (RuntimeException e) {
            return Finding.of(Status.PROBLEM, "docker gpu", "the engine did not say what it offers: " + DockerEngine.rootMessage(e));
        } finally {
            try {
                docker.close();
            } catch (IOException e) {
                // the connection goes away with the client either way
            }
        }
        Machine machine = s.hostChoice().machine();
        ServerImages.Access auto = ServerImages.autoAccess(machine, engine);
        GpuAccess access;
        try {
            access = GpuDecision.decide(s, engine, "doctor");
        } catch (BackendStartException e) {
            if (s.gpu() == GpuMode.AUTO) {
                return Finding.fix(Status.PROBLEM, "docker gpu", "auto: " + auto.why() + "; containers of "
                        + s.image() + " cannot get the GPU it is built for", auto.problem().orElseThrow());
            }
            String fix = s.gpu() == GpuMode.ON ? "install the NVIDIA Container Toolkit and register its runtime"
                    + " (sudo nvidia-ctk runtime configure --runtime=docker), or set " + key + "=auto"
                    : "update Docker to 19.03 or later, or set " + key + "=auto";
            return Finding.fix(Status.PROBLEM, "docker gpu", e.failure().describe(), fix);
        }
        String text = describe(access) + " (" + from + (s.gpu() == GpuMode.AUTO ? ": " + auto.why() : "") + ") [" + engine.describe() + "]";
        boolean gpuMachine = !(machine instanceof Machine.CpuOnly);
        if (gpuMachine && access == GpuAccess.NONE) {
            return Finding.fix(Status.WARN, "docker gpu", text + ": models run on the CPU of a GPU machine",
                    auto.problem().orElse("remove " + key + " to let auto give the container the GPU"));
        }
        return Finding.of(Status.OK, "docker gpu", text);
    }

    static String describe(GpuAccess access) {
        return switch (access) {
            case NONE -> "no GPU";
            case NVIDIA_RUNTIME -> "the nvidia runtime (--runtime nvidia)";
            case DEVICE_REQUESTS -> "a device request for every GPU (--gpus all)";
        };
    }

    /** What to do about an engine that does not answer, from the reason {@link DockerEngine#whyUnreachable} gave. */
    static String engineFix(String why) {
        String w = why.toLowerCase(Locale.ROOT);
        if (w.contains("permission denied")) {
            return "add this account to the docker group (sudo usermod -aG docker $USER), then log in again";
        }
        if (w.contains("does not exist") || w.contains("connection refused")) {
            return "start the engine (sudo systemctl start docker), or point DOCKER_HOST / backend.docker.host at a running one";
        }
        if (w.contains("did not answer")) {
            return "the engine is hung or slow: restart it (sudo systemctl restart docker) or raise backend.docker.ping-timeout";
        }
        if (w.contains("tls")) {
            return "check the certificates in DOCKER_CERT_PATH / backend.docker.cert-path";
        }
        return "check DOCKER_HOST / backend.docker.host and that the engine runs";
    }
}
