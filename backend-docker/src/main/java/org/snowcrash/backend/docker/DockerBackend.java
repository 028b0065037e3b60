package org.snowcrash.backend.docker;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.snowcrash.api.Availability;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.Housekeeping;
import org.snowcrash.api.LlmBackend;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.StartFailure;

import com.github.dockerjava.api.DockerClient;

import okhttp3.OkHttpClient;

/**
 * Runs each model in its own container of llama.cpp's {@code llama-server} (docker-java for the
 * container, OkHttp for the server's OpenAI-compatible API). An LLM crash stays inside its
 * container; the process that uses it survives.
 *
 * <p>Id {@code docker}, default priority 20 (tried before the in-process backend). Available
 * when a Docker engine answers a ping within {@code backend.docker.ping-timeout}. Configuration
 * keys are listed in {@link DockerSettings} and the README. {@link Housekeeping}: removes the
 * containers whose owner is provably gone, or all of snowcrash's for {@code stop-all}, found by label.
 */
public final class DockerBackend implements LlmBackend, Housekeeping {

    /** This backend's id. */
    public static final String ID = "docker";

    // One OkHttp client per backend instance: sessions derive theirs with newBuilder(), sharing its pools.
    private volatile OkHttpClient http;
    private final Map<String, String> environment;

    /** For ServiceLoader; does nothing. */
    public DockerBackend() {
        this(System.getenv());
    }

    DockerBackend(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int defaultPriority() {
        return 20;
    }

    /**
     * Tools (every tool choice, forced calls included) and JSON output ({@code json_object},
     * {@code json_schema}): llama-server enforces a JSON schema per request, and a forced call is
     * sent as the schema of one call (docs/tools-servers.md). No grammar of the caller's own (the
     * API has none) and no reasoning split promised: the tiny models this is tested with do not
     * think aloud, so {@code reasoning_content} is handed on when a server sends it, but not declared.
     */
    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    private static final Set<Capability> CAPABILITIES = Set.copyOf(EnumSet.of(Capability.TOOLS, Capability.JSON_SCHEMA));

    /** {@code port}, {@code container}, {@code memory}, {@code shm-size} and {@code args}, read by {@link ContainerOptions}. */
    @Override
    public Set<String> modelSettings() {
        return ContainerOptions.KEYS;
    }

    @Override
    public Availability availability(BackendContext context) {
        DockerSettings s;
        try {
            s = DockerSettings.from(context.settings(), environment);
        } catch (ConfigurationException e) {
            return Availability.unavailable(e.getMessage());
        }
        Optional<String> why = DockerEngine.whyUnreachable(s, s.pingTimeout());
        return why.isPresent() ? Availability.unavailable(why.get()) : Availability.available();
    }

    @Override
    public ModelSession start(ModelSpec spec, BackendContext context) throws BackendStartException {
        DockerSettings s;
        try {
            s = DockerSettings.from(context.settings(), environment);
        } catch (ConfigurationException e) {
            throw new BackendStartException(ID, spec.id(), new StartFailure.Other(e.getMessage()), e);
        }
        ContainerOptions options;
        try {
            options = ContainerOptions.from(context.settings(), spec.id());
        } catch (ConfigurationException e) {
            throw new BackendStartException(ID, spec.id(), new StartFailure.Other(e.getMessage()), e);
        }
        // Each session owns its Docker client (its connection pool) and releases it when closed.
        DockerClient docker = DockerEngine.client(s);
        try {
            return new ContainerLauncher(docker, s, http(), context.events(), () -> release(docker)).launch(spec, options);
        } catch (BackendStartException | RuntimeException e) {
            release(docker);
            throw e;
        }
    }

    /**
     * Removes our containers whose owner is provably gone (exited ones, and ones never started
     * long after creation); never a running one, whose owner's connection keeps it alive. This
     * process's launches on the same engine then skip their own sweep ({@link Reaper}). Bounded
     * by the ping timeout when no engine answers, then by the API timeout per call.
     */
    @Override
    public Removal sweepLeftovers(BackendContext context) {
        return housekeep(context, DockerManager::removeAbandoned);
    }

    /** Removes every container carrying our labels, running or not, whoever started it. */
    @Override
    public Removal removeAll(BackendContext context) {
        return housekeep(context, DockerManager::stopAll);
    }

    private Removal housekeep(BackendContext context, Function<DockerManager, List<String>> work) {
        DockerSettings s;
        try {
            s = DockerSettings.from(context.settings(), environment);
        } catch (ConfigurationException e) {
            return Removal.failed(e.getMessage());
        }
        Optional<String> why = DockerEngine.whyUnreachable(s, s.pingTimeout());
        if (why.isPresent()) {
            return Removal.failed(why.get());
        }
        try (DockerManager m = new DockerManager(DockerEngine.client(s), s, context.settings())) {
            return new Removal(work.apply(m), List.of());
        } catch (RuntimeException e) {
            return Removal.failed("Docker engine error: " + DockerEngine.rootMessage(e));
        }
    }

    private static void release(DockerClient docker) {
        ContainerTracker.forget(docker);
        try {
            docker.close();
        } catch (java.io.IOException e) {
            // the connection goes away with the client either way
        }
    }

    /** Streams open at once over all of this backend's models. */
    static final int MAX_STREAMS = 256;

    /**
     * OkHttp's default dispatcher threads are not daemons and linger 60 s after the last stream,
     * which would keep a library user's JVM alive for a minute after its last model closed; and
     * its default limits are too low for several viewers (see below).
     */
    static okhttp3.Dispatcher daemonDispatcher() {
        java.util.concurrent.ThreadFactory daemons = r -> {
            Thread t = new Thread(r, "snowcrash-docker-http");
            t.setDaemon(true);
            return t;
        };
        okhttp3.Dispatcher d = new okhttp3.Dispatcher(new java.util.concurrent.ThreadPoolExecutor(0, Integer.MAX_VALUE, 60,
                java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), daemons));
        // Every stream is a viewer waiting for its answer, and all our servers share one host
        // (127.0.0.1): OkHttp's default of 5 streams per host would hold a sixth viewer's request on
        // our side, its idle timer running, while the server has free slots or its own queue.
        d.setMaxRequests(MAX_STREAMS);
        d.setMaxRequestsPerHost(MAX_STREAMS);
        return d;
    }

    private OkHttpClient http() {
        OkHttpClient h = http;
        if (h == null) {
            synchronized (this) {
                h = http;
                if (h == null) {
                    h = new OkHttpClient.Builder().retryOnConnectionFailure(false).dispatcher(daemonDispatcher()).build();
                    http = h;
                }
            }
        }
        return h;
    }
}
