package org.snowcrash.backend.docker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.EventSink;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.SessionInfo;
import org.snowcrash.api.StartFailure;
import org.snowcrash.machine.GpuAccess;
import org.snowcrash.openai.OpenAiClient;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;

import okhttp3.OkHttpClient;

/**
 * Brings one model up in a container, in order: abandoned containers swept (by the first launch
 * on an engine, {@link Reaper}), image present, name and port checked, container created, bound
 * to this process ({@link Lifeline}), started, and waited for ({@link Readiness}). Whatever fails, nothing is left behind. The parts live in
 * their own classes; this one only puts them in order and turns engine errors into typed
 * start failures.
 */
final class ContainerLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerLauncher.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long the connection for a request after a stream is kept open ahead (see {@code OpenAiClient.Builder#connectionAhead}). */
    static final Duration CONNECTION_AHEAD = Duration.ofSeconds(2);

    /** Progress messages that mark lifecycle points (tests and viewers key on their beginnings). */
    static final String CREATING = "creating container ";
    static final String CREATED = "created container ";
    static final String LOADING = "started container ";

    private final DockerClient docker;
    private final DockerSettings settings;
    private final OkHttpClient http;
    private final EventSink events;
    private final ContainerQueries queries;
    private final Runnable onSessionClosed;

    /** {@code onSessionClosed} runs after a launched session's container is removed (to release a client). */
    ContainerLauncher(DockerClient docker, DockerSettings settings, OkHttpClient http, EventSink events,
                      Runnable onSessionClosed) {
        this.docker = docker;
        this.settings = settings;
        this.http = http;
        this.events = events;
        this.queries = new ContainerQueries(docker);
        this.onSessionClosed = onSessionClosed;
    }

    DockerSession launch(ModelSpec spec, ContainerOptions options) throws BackendStartException {
        try {
            return doLaunch(spec, options);
        } catch (DockerException | DockerClientException e) {
            throw fail(spec, new StartFailure.RuntimeUnavailable("Docker engine error: " + DockerEngine.rootMessage(e)), e);
        } catch (RuntimeException e) {
            // The transport wraps I/O failures (timeouts, refused connections) in runtime exceptions.
            throw fail(spec, new StartFailure.RuntimeUnavailable("Docker engine error: " + DockerEngine.rootMessage(e)), e);
        }
    }

    private DockerSession doLaunch(ModelSpec spec, ContainerOptions options) throws BackendStartException {
        new Reaper(docker).sweepOnce(settings.host());
        var serverCommand = new Images(docker, settings, events).serverCommand(spec.id());
        GpuAccess gpu = GpuDecision.decide(settings, GpuDecision.engine(docker, settings), spec.id());
        clearName(spec, options);
        options = checkPort(spec, options);
        ServerContainer.Plan plan;
        try {
            plan = ServerContainer.plan(settings, options, spec, serverCommand, CallerIds.resolve(settings), gpu);
        } catch (IllegalArgumentException e) {
            throw fail(spec, new StartFailure.Other(e.getMessage()), e);
        }
        java.util.Optional<SlotMount> slotMount = SlotMount.decide(settings, spec);
        if (slotMount.isPresent()) {
            plan = slotMount.get().apply(plan);
        }

        events.publish(new LifecycleEvent.Progress(DockerBackend.ID, spec.id(), CREATING + plan.name()
                + " from " + plan.image()));
        try {
            ContainerTracker.beginCreate(docker, settings.stopTimeout());
        } catch (IllegalStateException e) {
            throw new BackendStartException(DockerBackend.ID, spec.id(), new StartFailure.Interrupted(), e);
        }
        CreateContainerResponse created;
        try {
            created = create(spec, plan);
        } catch (RuntimeException | BackendStartException e) {
            ContainerTracker.endCreate();
            throw e;
        }
        ContainerTracker.Tracked tracked = new ContainerTracker.Tracked(created.getId(), plan.name(), docker,
                settings.stopTimeout());
        ContainerTracker.track(tracked);
        ContainerTracker.endCreate();

        Lifeline lifeline = null;
        boolean ok = false;
        try {
            String apiKey = newKey();
            lifeline = Lifeline.attach(docker, created.getId(), apiKey);
            events.publish(new LifecycleEvent.Progress(DockerBackend.ID, spec.id(), CREATED + plan.name()
                    + " (" + created.getId().substring(0, 12) + ")"));
            start(spec, options, created.getId());
            events.publish(new LifecycleEvent.Progress(DockerBackend.ID, spec.id(), LOADING + plan.name()
                    + ", loading the model"));
            String url = "http://" + BindAddress.serverHost(settings.host(), settings.bindAddress()) + ":" + options.port();
            String where = "model " + spec.id() + ", container " + plan.name() + ", " + url;
            Lifeline line = lifeline;
            // Our own container: a request whose connection closed unanswered while the server is
            // still up is sent once more (seen under load on the first requests to a new container),
            // rather than failing as if the server had died and restarting it.
            OpenAiClient client = OpenAiClient.builder(http, DockerBackend.ID, url + "/v1").apiKey(apiKey).where(where)
                    .idleTimeout(settings.idleTimeout()).requestTimeout(settings.requestTimeout())
                    .retryUnansweredOnce(c -> !line.hasEnded() && c.health(Duration.ofSeconds(1)) == 200)
                    // llama-server ends the connection after every stream; the next request's is opened
                    // ahead and kept 2 s, well inside llama-server's keep-alive (cpp-httplib's 5 s).
                    .connectionAhead(CONNECTION_AHEAD).build();
            String id = created.getId();
            new Readiness(settings.healthPoll(), settings.livenessProbe(), events)
                    .await(spec.id(), client, lifeline, spec.startupTimeout(), () -> oomKilled(id));
            OpenAiClient.Slots slots = slots(spec, client);
            ok = true;
            // The context one request gets is the slot's, not -c: what a conversation's budget must fit.
            SessionInfo info = new SessionInfo(DockerBackend.ID, spec.id(), slots.contextPerSlot(),
                    "container " + plan.name() + ", " + url + ", " + slots.count() + (slots.count() == 1 ? " slot" : " slots")
                            + " of " + slots.contextPerSlot() + " tokens");
            SlotCache slotCache = slotMount.map(m -> m.cache(http, url, apiKey, settings, where, events, spec.id())).orElse(SlotCache.OFF);
            return new DockerSession(info, client, tracked, lifeline, onSessionClosed, spec.toolFormat(), slotCache,
                    settings.stopTimeout());
        } finally {
            if (!ok) {
                if (lifeline != null) {
                    lifeline.close();
                }
                ContainerTracker.remove(tracked);
            }
        }
    }

    /**
     * What the server says about its slots. A server that does not say (an image whose
     * llama-server has no {@code /props}) is taken to have what it was asked for.
     */
    private static OpenAiClient.Slots slots(ModelSpec spec, OpenAiClient client) {
        try {
            return client.slots();
        } catch (org.snowcrash.api.ChatException e) {
            OpenAiClient.Slots asked = new OpenAiClient.Slots(spec.parallel(), Math.max(1, spec.contextSize() / spec.parallel()));
            LOG.warn("model {}: the server did not report its slots ({}); assuming {}", spec.id(), e.getMessage(), asked);
            return asked;
        }
    }

    private CreateContainerResponse create(ModelSpec spec, ServerContainer.Plan plan) throws BackendStartException {
        try {
            var cmd = docker.createContainerCmd(plan.image())
                    .withName(plan.name())
                    .withLabels(plan.labels())
                    .withEntrypoint(plan.entrypoint())
                    .withCmd(plan.cmd())
                    .withEnv(plan.env())
                    .withExposedPorts(plan.exposed())
                    .withHostConfig(plan.hostConfig())
                    // stdin open, closed by the engine when our one attached client goes: see Lifeline.
                    .withStdinOpen(true).withStdInOnce(true).withAttachStdin(true)
                    .withAttachStdout(true).withAttachStderr(true);
            if (!plan.user().isEmpty()) {
                cmd.withUser(plan.user());
            }
            return cmd.exec();
        } catch (ConflictException e) {
            // Someone created a container of this name between our check and our create.
            throw new BackendStartException(DockerBackend.ID, spec.id(), new DockerStartFailure.NameConflict(plan.name(),
                    "created by someone else at the same moment: " + DockerEngine.rootMessage(e).strip()), e);
        }
    }

    private void start(ModelSpec spec, ContainerOptions options, String id) throws BackendStartException {
        try {
            docker.startContainerCmd(id).exec();
        } catch (DockerException e) {
            String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("port is already allocated") || m.contains("address already in use")) {
                throw new BackendStartException(DockerBackend.ID, spec.id(), new DockerStartFailure.PortInUse(options.port(),
                        DockerEngine.rootMessage(e).strip()), e);
            }
            if (m.contains("runtime") && m.contains("nvidia")) {
                throw new BackendStartException(DockerBackend.ID, spec.id(),
                        new StartFailure.RuntimeUnavailable("the nvidia runtime failed: " + DockerEngine.rootMessage(e).strip()), e);
            }
            throw new BackendStartException(DockerBackend.ID, spec.id(), new StartFailure.Other("container "
                    + options.containerName() + " did not start: " + DockerEngine.rootMessage(e).strip()), e);
        }
    }

    /** The engine's OOM flag, if the container is still there to ask (auto-removal may have won the race). */
    private boolean oomKilled(String id) {
        try {
            return Boolean.TRUE.equals(docker.inspectContainerCmd(id).exec().getState().getOOMKilled());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A container with the model's name: ours and abandoned → removed; ours and alive, or anybody else's → refused. */
    private void clearName(ModelSpec spec, ContainerOptions options) throws BackendStartException {
        for (Container c : queries.byName(options.containerName())) {
            Map<String, String> labels = c.getLabels();
            if (!Labels.isOurs(labels)) {
                throw new BackendStartException(DockerBackend.ID, spec.id(), new DockerStartFailure.NameConflict(
                        options.containerName(), "not ours: id " + c.getId().substring(0, 12) + ", image " + c.getImage()
                        + ", without snowcrash labels"));
            }
            java.time.Instant createdAt = java.time.Instant.ofEpochSecond(c.getCreated() == null ? 0 : c.getCreated());
            if (Abandonment.isAbandoned(labels, c.getState(), createdAt, java.time.Instant.now())) {
                LOG.info("removing container {} ({}) left by {}", options.containerName(), c.getState(), Labels.describeOwner(labels));
                events.publish(new LifecycleEvent.Progress(DockerBackend.ID, spec.id(), "removing stale container "
                        + options.containerName() + " left by " + Labels.describeOwner(labels)));
                if (!new Reaper(docker).remove(c.getId())) {
                    throw new BackendStartException(DockerBackend.ID, spec.id(), new DockerStartFailure.NameConflict(
                            options.containerName(), "a stale container of that name is still being removed"));
                }
            } else {
                throw new BackendStartException(DockerBackend.ID, spec.id(), new DockerStartFailure.NameConflict(
                        options.containerName(), "it is " + c.getState() + " and in use by " + Labels.describeOwner(labels)));
            }
        }
    }

    /**
     * Checks the port is free on the bind address, or picks a free one when none is configured (0).
     * For an engine on another host ({@code tcp://}) this machine's ports prove nothing: a configured
     * port is left to the engine (a taken one fails the container's start as {@code PortInUse}), and
     * a port to pick is picked free here, which is only a guess for that host.
     */
    private ContainerOptions checkPort(ModelSpec spec, ContainerOptions options) throws BackendStartException {
        boolean engineElsewhere = BindAddress.engineHost(settings.host()).isPresent();
        if (engineElsewhere && options.port() != 0) {
            return options;
        }
        // The bind address of another host's engine may not exist here: pick on every local address.
        String addr = engineElsewhere ? "0.0.0.0" : settings.bindAddress();
        try (ServerSocket s = new ServerSocket()) {
            // SO_REUSEADDR as the engine's own proxy uses it: only a live listener counts as "in use",
            // not connections of an earlier server still in TIME_WAIT.
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(addr), options.port()));
            return options.port() == 0 ? options.withPort(s.getLocalPort()) : options;
        } catch (IOException e) {
            throw new BackendStartException(DockerBackend.ID, spec.id(), new DockerStartFailure.PortInUse(options.port(),
                    "cannot bind " + BindAddress.urlHost(addr) + ":" + options.port() + ": " + e.getMessage()
                            + "; set model." + spec.id() + ".port to another port"), e);
        }
    }

    private static String newKey() {
        byte[] raw = new byte[16];
        RANDOM.nextBytes(raw);
        return HexFormat.of().formatHex(raw);
    }

    private static BackendStartException fail(ModelSpec spec, StartFailure f, Throwable e) {
        return new BackendStartException(DockerBackend.ID, spec.id(), f, e);
    }
}
