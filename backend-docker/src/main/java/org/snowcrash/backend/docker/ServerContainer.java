package org.snowcrash.backend.docker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.snowcrash.api.ModelSpec;
import org.snowcrash.machine.GpuAccess;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Volume;

/**
 * Builds the definition of a model's container: the server's command line, the entrypoint that
 * binds the container's life to ours, the host configuration and the labels. Pure: it makes no
 * Docker call, so every flag is unit-tested without an engine.
 */
final class ServerContainer {

    static final String MODELS_MOUNT = "/models";
    /**
     * The server's OpenMP threads sleep as soon as a parallel step ends instead of spinning for it
     * (libgomp's default when unset; builds with OpenMP, such as Debian's, ignore {@code --poll}).
     * The machine is shared (the robot's detector, {@code serve}, other clients): a spinning
     * thread holds a core after every token and after every answer. Measured on two cores
     * (docs/performance.md): llama-server's own first token and throughput were no worse, and
     * {@code serve}'s work before the first token no longer waits for a core.
     */
    static final String OPENMP_WAIT = "OMP_WAIT_POLICY=PASSIVE";
    /** A private tmpfs for the key file: it never touches the host's disk and dies with the container. */
    static final String SECRETS_MOUNT = "/run/snowcrash";

    /**
     * The container's entrypoint, run by {@code /bin/sh -c} with the server's command line as
     * {@code "$@"}. The first line of stdin is the API key, written to a 0600 file on the private
     * tmpfs (not an argument: arguments show in {@code docker inspect} and in every local user's
     * {@code ps}). The server runs in the background with stdin closed; a watcher reads the rest
     * of stdin and, at its end (the owner's attach connection closed, however its process ended),
     * stops the server: TERM, then KILL after 5 s. The exit status is printed for the owner, who
     * reads it from the attach stream because an auto-removed container takes its state with it.
     * POSIX sh only: a background job's stdin would be /dev/null without the explicit fd 3.
     */
    static final String WRAPPER = String.join("\n",
            "umask 077",
            "IFS= read -r key || { echo 'snowcrash: no API key on stdin' >&2; exit 97; }",
            "printf '%s\\n' \"$key\" > " + SECRETS_MOUNT + "/key || exit 98",
            "key=",
            "exec 3<&0",
            "\"$@\" <&- &",
            "server=$!",
            "( cat <&3 >/dev/null; kill -TERM \"$server\" 2>/dev/null; sleep 5; kill -KILL \"$server\" 2>/dev/null ) &",
            "wait \"$server\"",
            "status=$?",
            "echo \"snowcrash: server exited with status $status\" >&2",
            "exit \"$status\"");

    private ServerContainer() {
    }

    /**
     * The server's prompt cache bound. llama-server keeps earlier prompts' KV state in RAM up to
     * {@code --cache-ram} (several GiB by default), more than a 2 GiB container has: memory then
     * grows with every distinct prompt until the kernel kills the server. {@code auto} gives it a
     * quarter of the container's memory limit (nothing is passed without a limit).
     */
    static java.util.OptionalLong cacheRamMib(DockerSettings settings, ContainerOptions options) {
        DockerSettings.CacheRam c = settings.cacheRam();
        return switch (c.mode()) {
            case OFF -> java.util.OptionalLong.empty();
            case FIXED -> java.util.OptionalLong.of(c.bytes() >> 20);
            case AUTO -> options.memoryBytes() > 0
                    ? java.util.OptionalLong.of(options.memoryBytes() / 4 >> 20) : java.util.OptionalLong.empty();
        };
    }

    /**
     * Everything the engine needs to create the container.
     *
     * @param name       container name
     * @param image      image with tag
     * @param user       {@code uid:gid} the server runs as
     * @param entrypoint the wrapper ({@code /bin/sh -c WRAPPER snowcrash})
     * @param cmd        the server's own command line (image entrypoint, prefix, flags)
     * @param env        the server's environment ({@code NAME=value})
     * @param labels     our labels plus the user's
     * @param exposed    the server's port
     * @param hostConfig mounts, limits, security, network
     */
    record Plan(String name, String image, String user, List<String> entrypoint, List<String> cmd, List<String> env,
                Map<String, String> labels, ExposedPort exposed, HostConfig hostConfig) {
        Plan {
            entrypoint = List.copyOf(entrypoint);
            cmd = List.copyOf(cmd);
            env = List.copyOf(env);
            labels = Map.copyOf(labels);
        }
    }

    /**
     * @param settings      the backend's settings
     * @param options       this model's container options
     * @param spec          the model
     * @param serverCommand the words that start the server in this image (its entrypoint, then the configured prefix)
     * @param user          {@code uid:gid} to run as
     * @param gpu           how the container gets the GPU
     */
    static Plan plan(DockerSettings settings, ContainerOptions options, ModelSpec spec, List<String> serverCommand,
                     String user, GpuAccess gpu) {
        if (serverCommand.isEmpty()) {
            throw new IllegalArgumentException("the image " + settings.image() + " has no entrypoint; set "
                    + DockerSettings.PREFIX + "command-prefix to the server's command (for example llama-server)");
        }
        String listen = settings.network() == NetworkMode.HOST ? settings.bindAddress() : "0.0.0.0";
        List<String> cmd = new ArrayList<>(serverCommand);
        cmd.addAll(List.of("--host", listen, "--port", String.valueOf(options.port()),
                "-m", MODELS_MOUNT + "/" + spec.file().getFileName(),
                "-ngl", String.valueOf(spec.gpuLayers()), "-c", String.valueOf(spec.contextSize()),
                "-b", String.valueOf(spec.batchSize()),
                // Always explicit: without -np this server picks 4 slots over one unified KV cache,
                // each slot reporting the whole -c, and concurrent long prompts then all fail with
                // "Context size has been exceeded". With -np N each slot owns -c / N tokens.
                "-np", String.valueOf(spec.parallel()),
                "--cors-origins", settings.corsOrigins(),
                "--api-key-file", SECRETS_MOUNT + "/key",
                // The model's Jinja chat template: it renders tools and tool messages, and lets the
                // server read calls out of an answer (docs/tools-servers.md). A plain ChatML template
                // renders plain chat the same either way.
                "--jinja"));
        if (spec.threads() > 0) {
            cmd.addAll(List.of("-t", String.valueOf(spec.threads())));
        }
        cacheRamMib(settings, options).ifPresent(mib -> cmd.addAll(List.of("--cache-ram", String.valueOf(mib))));
        cmd.addAll(options.serverArgs());

        HostConfig hc = HostConfig.newHostConfig()
                .withBinds(new Bind(spec.file().getParent().toString(), new Volume(MODELS_MOUNT), AccessMode.ro))
                .withTmpFs(Map.of(SECRETS_MOUNT, "rw,noexec,nosuid,nodev,size=64k,mode=1777"))
                .withSecurityOpts(List.of("no-new-privileges"))
                .withCapDrop(Capability.ALL)
                // The engine removes the container as soon as it exits: after our close, after our
                // death (the wrapper stops the server), and after a crash of the server itself.
                .withAutoRemove(true);
        if (options.memoryBytes() > 0) {
            hc.withMemory(options.memoryBytes()).withMemorySwap(options.memoryBytes());
        }
        if (options.shmBytes() > 0) {
            hc.withShmSize(options.shmBytes());
        }
        GpuHost.apply(gpu, hc);
        ExposedPort exposed = ExposedPort.tcp(options.port());
        if (settings.network() == NetworkMode.HOST) {
            hc.withNetworkMode("host");
        } else {
            hc.withPortBindings(new PortBinding(Ports.Binding.bindIpAndPort(settings.bindAddress(), options.port()), exposed));
        }
        return new Plan(options.containerName(), settings.image(), user,
                List.of("/bin/sh", "-c", WRAPPER, "snowcrash"), cmd, List.of(OPENMP_WAIT),
                Labels.forModel(spec.id(), settings.labels()), exposed, hc);
    }
}
