package org.snowcrash.backend.docker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.EventSink;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.SessionInfo;
import org.snowcrash.api.StartFailure;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.Volume;

import okhttp3.OkHttpClient;

/**
 * Brings one model up in a container: orphans swept, image present (pulled per policy), name and
 * port checked, container created with our labels, started, and watched until {@code /health}
 * says 200 — or until it exits, which fails the start at once with its exit code, OOM flag and
 * last log lines. Whatever fails, nothing is left behind.
 */
final class ContainerLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerLauncher.class);
    private static final String MODELS_MOUNT = "/models";
    private static final String KEY_MOUNT = "/run/snowcrash";
    private static final int LOG_LINES = 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DockerClient docker;
    private final DockerSettings settings;
    private final OkHttpClient http;
    private final EventSink events;
    private final Runnable onSessionClosed;

    ContainerLauncher(DockerClient docker, DockerSettings settings, OkHttpClient http, EventSink events) {
        this(docker, settings, http, events, () -> { });
    }

    /** {@code onSessionClosed} runs after a launched session's container is removed (to release a client). */
    ContainerLauncher(DockerClient docker, DockerSettings settings, OkHttpClient http, EventSink events,
                      Runnable onSessionClosed) {
        this.docker = docker;
        this.settings = settings;
        this.http = http;
        this.events = events;
        this.onSessionClosed = onSessionClosed;
    }

    DockerSession launch(ModelSpec spec) throws BackendStartException {
        try {
            return doLaunch(spec);
        } catch (DockerException | com.github.dockerjava.api.exception.DockerClientException e) {
            throw fail(spec, new StartFailure.RuntimeUnavailable("Docker engine error: " + DockerEngine.rootMessage(e)), e);
        } catch (RuntimeException e) {
            // The transport wraps I/O failures (timeouts, refused connections) in runtime exceptions.
            throw fail(spec, new StartFailure.RuntimeUnavailable("Docker engine error: " + DockerEngine.rootMessage(e)), e);
        }
    }

    private DockerSession doLaunch(ModelSpec spec) throws BackendStartException {
        removeOrphans();
        ensureImage(spec);
        String runtime = gpuRuntime(spec);
        clearName(spec);
        checkPort(spec);

        String host = settings.network().equals("host") ? settings.bindAddress() : "0.0.0.0";
        List<String> cmd = new ArrayList<>(settings.commandPrefix());
        cmd.addAll(List.of("--host", host, "--port", String.valueOf(spec.port()),
                "-m", MODELS_MOUNT + "/" + spec.file().getFileName(),
                "-ngl", String.valueOf(spec.gpuLayers()), "-c", String.valueOf(spec.contextSize()),
                "-b", String.valueOf(spec.batchSize()), "--cors-origins", settings.corsOrigins()));
        if (spec.threads() > 0) {
            cmd.addAll(List.of("-t", String.valueOf(spec.threads())));
        }
        Path keyDir = null;
        String apiKey = null;
        List<Bind> binds = new ArrayList<>();
        binds.add(new Bind(spec.file().getParent().toString(), new Volume(MODELS_MOUNT), AccessMode.ro));
        if (settings.apiKey()) {
            // The key travels in a file on a read-only mount, so it shows neither in the
            // container's inspected arguments nor in its environment.
            byte[] raw = new byte[16];
            RANDOM.nextBytes(raw);
            apiKey = HexFormat.of().formatHex(raw);
            keyDir = writeKey(spec, apiKey);
            binds.add(new Bind(keyDir.toString(), new Volume(KEY_MOUNT), AccessMode.ro));
            cmd.addAll(List.of("--api-key-file", KEY_MOUNT + "/key"));
        }
        cmd.addAll(spec.extraArgs());

        HostConfig hc = HostConfig.newHostConfig()
                .withBinds(binds)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withCapDrop(Capability.ALL)
                .withAutoRemove(false);
        if (spec.memoryBytes() > 0) {
            hc.withMemory(spec.memoryBytes()).withMemorySwap(spec.memoryBytes());
        }
        if (spec.shmBytes() > 0) {
            hc.withShmSize(spec.shmBytes());
        }
        if (runtime != null) {
            hc.withRuntime(runtime);
        }
        ExposedPort exposed = ExposedPort.tcp(spec.port());
        if (settings.network().equals("host")) {
            hc.withNetworkMode("host");
        } else {
            hc.withPortBindings(new PortBinding(Ports.Binding.bindIpAndPort(settings.bindAddress(), spec.port()), exposed));
        }

        events.publish(new LifecycleEvent.Progress(DockerBackend.ID, spec.id(), "creating container " + spec.containerName()
                + " from " + settings.image()));
        CreateContainerResponse created;
        if (settings.reaper()) {
            Reaper.ensureStarted(settings.host());
        }
        try {
            ContainerTracker.beginCreate(docker, settings.stopTimeout());
        } catch (IllegalStateException e) {
            deleteQuietly(keyDir);
            throw new BackendStartException(DockerBackend.ID, spec.id(), new StartFailure.Interrupted(), e);
        }
        try {
            created = docker.createContainerCmd(settings.image())
                    .withName(spec.containerName())
                    .withLabels(Labels.forModel(spec.id()))
                    .withCmd(cmd)
                    .withExposedPorts(exposed)
                    .withHostConfig(hc)
                    .exec();
        } catch (RuntimeException e) {
            ContainerTracker.endCreate();
            deleteQuietly(keyDir);
            throw e;
        }
        ContainerTracker.Tracked tracked = new ContainerTracker.Tracked(created.getId(), spec.containerName(), docker,
                settings.stopTimeout());
        ContainerTracker.track(tracked);
        ContainerTracker.endCreate();
        Path finalKeyDir = keyDir;
        boolean ok = false;
        try {
            start(spec, created.getId());
            String url = "http://" + (settings.bindAddress().equals("0.0.0.0") ? "127.0.0.1" : settings.bindAddress())
                    + ":" + spec.port();
            String where = "model " + spec.id() + ", container " + spec.containerName() + ", " + url;
            ServerClient client = new ServerClient(http, url, apiKey, where, settings.idleTimeout());
            waitReady(spec, created.getId(), client);
            if (settings.livenessProbe()) {
                probe(spec, client);
            }
            ok = true;
            SessionInfo info = new SessionInfo(DockerBackend.ID, spec.id(), spec.contextSize(),
                    "container " + spec.containerName() + ", " + url);
            return new DockerSession(info, client, tracked, () -> {
                deleteQuietly(finalKeyDir);
                onSessionClosed.run();
            });
        } finally {
            if (!ok) {
                ContainerTracker.remove(tracked);
                deleteQuietly(keyDir);
            }
        }
    }

    private void start(ModelSpec spec, String id) throws BackendStartException {
        try {
            docker.startContainerCmd(id).exec();
        } catch (DockerException e) {
            String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("port is already allocated") || m.contains("address already in use")) {
                throw new BackendStartException(DockerBackend.ID, spec.id(), new StartFailure.PortInUse(spec.port(),
                        DockerEngine.rootMessage(e).strip()), e);
            }
            if (m.contains("runtime") && m.contains("nvidia")) {
                throw new BackendStartException(DockerBackend.ID, spec.id(),
                        new StartFailure.RuntimeUnavailable("the nvidia runtime failed: " + DockerEngine.rootMessage(e).strip()), e);
            }
            throw new BackendStartException(DockerBackend.ID, spec.id(), new StartFailure.Other("container "
                    + spec.containerName() + " did not start: " + DockerEngine.rootMessage(e).strip()), e);
        }
    }

    private void waitReady(ModelSpec spec, String id, ServerClient client) throws BackendStartException {
        long t0 = System.nanoTime();
        long deadline = t0 + spec.startupTimeout().toNanos();
        long nextInspect = 0;
        long nextProgress = t0 + TimeUnit.SECONDS.toNanos(5);
        String last = "no answer yet";
        Duration probe = Duration.ofMillis(Math.max(200, settings.healthPoll().toMillis() * 20));
        while (true) {
            int status = client.health(probe);
            if (status == 200) {
                return;
            }
            last = status < 0 ? "no answer yet" : status == 503 ? "503 loading model" : "HTTP " + status;
            long now = System.nanoTime();
            if (now >= nextInspect) {
                // An exit while loading (bad file, unknown flag, out of memory) fails the start now, not at the timeout.
                InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(id).exec().getState();
                if (!Boolean.TRUE.equals(state.getRunning()) && state.getFinishedAt() != null
                        && !state.getFinishedAt().startsWith("0001")) {
                    int code = state.getExitCodeLong() == null ? -1 : state.getExitCodeLong().intValue();
                    throw new BackendStartException(DockerBackend.ID, spec.id(), new StartFailure.Exited(code,
                            Boolean.TRUE.equals(state.getOOMKilled()), lastLogLines(id)));
                }
                nextInspect = now + TimeUnit.MILLISECONDS.toNanos(50);
            }
            if (now >= nextProgress) {
                events.publish(new LifecycleEvent.Progress(DockerBackend.ID, spec.id(), "waiting for the server ("
                        + last + ", " + TimeUnit.NANOSECONDS.toSeconds(now - t0) + " s)"));
                nextProgress = now + TimeUnit.SECONDS.toNanos(5);
            }
            if (now >= deadline) {
                throw new BackendStartException(DockerBackend.ID, spec.id(), new StartFailure.Timeout(spec.startupTimeout(), last));
            }
            try {
                Thread.sleep(settings.healthPoll().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendStartException(DockerBackend.ID, spec.id(), new StartFailure.Interrupted());
            }
        }
    }

    /**
     * A one-token request right after {@code /health} said 200: a server can report healthy and
     * still fail every request (a broken chat template, a stuck slot); such a start counts as failed.
     */
    private static void probe(ModelSpec spec, ServerClient client) throws BackendStartException {
        try {
            client.chat(org.snowcrash.api.ChatRequest.of(List.of(org.snowcrash.api.ChatMessage.user("ping")), 1)
                    .withTemperature(0));
        } catch (org.snowcrash.api.ChatException e) {
            throw new BackendStartException(DockerBackend.ID, spec.id(), new StartFailure.NotAnswering(e.failure().describe()), e);
        }
    }

    List<String> lastLogLines(String id) {
        List<String> lines = new ArrayList<>();
        try {
            docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withTail(LOG_LINES)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            for (String l : new String(frame.getPayload(), StandardCharsets.UTF_8).split("\n")) {
                                if (!l.isBlank()) {
                                    lines.add(l.stripTrailing());
                                }
                            }
                        }
                    }).awaitCompletion(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            lines.add("(log unavailable: " + e.getMessage() + ")");
        }
        return lines.size() > LOG_LINES ? lines.subList(lines.size() - LOG_LINES, lines.size()) : lines;
    }

    private void ensureImage(ModelSpec spec) throws BackendStartException {
        String image = settings.image();
        boolean present;
        try {
            docker.inspectImageCmd(image).exec();
            present = true;
        } catch (NotFoundException e) {
            present = false;
        }
        if (settings.pull().equals("never") && !present) {
            throw new BackendStartException(DockerBackend.ID, spec.id(), new StartFailure.ImageUnavailable(image,
                    "not present locally and backend.docker.pull=never"));
        }
        if (present && !settings.pull().equals("always")) {
            return;
        }
        events.publish(new LifecycleEvent.Progress(DockerBackend.ID, spec.id(), "pulling image " + image));
        try {
            String[] lastStatus = {""};
            boolean done = docker.pullImageCmd(image).exec(new ResultCallback.Adapter<PullResponseItem>() {
                @Override
                public void onNext(PullResponseItem item) {
                    String s = item.getStatus();
                    if (s != null && !s.equals(lastStatus[0])) {
                        lastStatus[0] = s;
                        events.publish(new LifecycleEvent.Progress(DockerBackend.ID, spec.id(), "pull: " + s
                                + (item.getId() == null ? "" : " " + item.getId())));
                    }
                }
            }).awaitCompletion(30, TimeUnit.MINUTES);
            if (!done) {
                throw new BackendStartException(DockerBackend.ID, spec.id(), new StartFailure.ImageUnavailable(image, "pull did not finish in 30 minutes"));
            }
            docker.inspectImageCmd(image).exec();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendStartException(DockerBackend.ID, spec.id(), new StartFailure.Interrupted());
        } catch (RuntimeException e) {
            if (present) {
                LOG.warn("pull of {} failed, using the local image: {}", image, DockerEngine.rootMessage(e));
                return;
            }
            throw new BackendStartException(DockerBackend.ID, spec.id(), new StartFailure.ImageUnavailable(image,
                    "not present locally and the pull failed: " + DockerEngine.rootMessage(e).strip()), e);
        }
    }

    private String gpuRuntime(ModelSpec spec) throws BackendStartException {
        if (settings.gpu().equals("off")) {
            return null;
        }
        Map<String, ?> runtimes = docker.infoCmd().exec().getRuntimes();
        boolean hasNvidia = runtimes != null && runtimes.containsKey("nvidia");
        if (hasNvidia) {
            return "nvidia";
        }
        if (settings.gpu().equals("on")) {
            throw new BackendStartException(DockerBackend.ID, spec.id(), new StartFailure.RuntimeUnavailable(
                    "backend.docker.gpu=on but the Docker engine has no nvidia runtime (runtimes: "
                            + (runtimes == null ? "none" : runtimes.keySet()) + ")"));
        }
        return null;
    }

    /** A container with the model's name: ours and orphaned → removed; anybody else's → refused. */
    private void clearName(ModelSpec spec) throws BackendStartException {
        for (Container c : byName(spec.containerName())) {
            Map<String, String> labels = c.getLabels();
            if (!Labels.isOurs(labels)) {
                throw new BackendStartException(DockerBackend.ID, spec.id(), new StartFailure.NameConflict(
                        spec.containerName(), "id " + c.getId().substring(0, 12) + ", image " + c.getImage()
                        + ", without snowcrash labels"));
            }
            if (Labels.isOrphan(labels)) {
                LOG.info("removing container {} left by process {} that is gone", spec.containerName(), labels.get(Labels.PID));
                events.publish(new LifecycleEvent.Progress(DockerBackend.ID, spec.id(), "removing stale container "
                        + spec.containerName() + " left by process " + labels.get(Labels.PID)));
                docker.removeContainerCmd(c.getId()).withForce(true).exec();
            } else {
                throw new BackendStartException(DockerBackend.ID, spec.id(), new StartFailure.NameConflict(
                        spec.containerName(), "it is in use by snowcrash process " + labels.get(Labels.PID)
                        + " on " + labels.get(Labels.HOST)));
            }
        }
    }

    List<Container> byName(String name) {
        List<Container> exact = new ArrayList<>();
        // The name filter matches substrings; keep exact matches only.
        for (Container c : docker.listContainersCmd().withShowAll(true).withNameFilter(List.of(name)).exec()) {
            if (c.getNames() != null && List.of(c.getNames()).contains("/" + name)) {
                exact.add(c);
            }
        }
        return exact;
    }

    /** Removes every container with our labels whose owning process on this host is gone; returns how many. */
    int removeOrphans() {
        int removed = 0;
        List<Container> ours = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(Labels.TOOL, Labels.TOOL_VALUE)).exec();
        for (Container c : ours) {
            if (Labels.isOrphan(c.getLabels())) {
                String name = c.getNames() == null || c.getNames().length == 0 ? c.getId() : c.getNames()[0].substring(1);
                LOG.info("removing orphaned container {} (its process {} is gone)", name, c.getLabels().get(Labels.PID));
                try {
                    docker.removeContainerCmd(c.getId()).withForce(true).exec();
                    removed++;
                } catch (NotFoundException e) {
                    // gone already
                }
            }
        }
        return removed;
    }

    private void checkPort(ModelSpec spec) throws BackendStartException {
        String addr = settings.bindAddress();
        try (ServerSocket s = new ServerSocket()) {
            // SO_REUSEADDR as the engine's own proxy uses it: only a live listener counts as "in use",
            // not connections of an earlier server still in TIME_WAIT.
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(addr), spec.port()));
        } catch (IOException e) {
            throw new BackendStartException(DockerBackend.ID, spec.id(), new StartFailure.PortInUse(spec.port(),
                    "cannot bind " + addr + ":" + spec.port() + ": " + e.getMessage()
                            + "; set model." + spec.id() + ".port to another port"), e);
        }
    }

    private static Path writeKey(ModelSpec spec, String key) {
        try {
            Path dir = Files.createTempDirectory("snowcrash-key-" + spec.id() + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path file = dir.resolve("key");
            Files.writeString(file, key, StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return dir;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the API key file", e);
        }
    }

    static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            Files.deleteIfExists(dir.resolve("key"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.debug("could not delete {}: {}", dir, e.toString());
        }
    }

    private static BackendStartException fail(ModelSpec spec, StartFailure f, Throwable e) {
        return new BackendStartException(DockerBackend.ID, spec.id(), Objects.requireNonNull(f), e);
    }
}
