package org.snowcrash.backend.docker;

import java.io.IOException;
import java.util.List;

import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.EventSink;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;

import okhttp3.OkHttpClient;

/**
 * Manual container management, as the original project offered it: start a model's container,
 * ask whether it runs, stop one, stop all. Only containers carrying snowcrash's labels are ever
 * stopped. Thread-safe; close it to release the Docker connection.
 */
public final class DockerManager implements AutoCloseable {

    private final DockerClient docker;
    private final DockerSettings settings;
    private final Settings raw;
    private final OkHttpClient http = new OkHttpClient.Builder().retryOnConnectionFailure(false)
            .dispatcher(DockerBackend.daemonDispatcher()).build();
    private final ContainerQueries queries;

    DockerManager(DockerClient docker, DockerSettings settings, Settings raw) {
        this.docker = docker;
        this.settings = settings;
        this.raw = raw;
        this.queries = new ContainerQueries(docker);
    }

    /** Connects to the engine named by the settings ({@code backend.docker.host}, {@code DOCKER_HOST}). */
    public static DockerManager connect(Settings settings) {
        DockerSettings s = DockerSettings.from(settings, System.getenv());
        return new DockerManager(DockerEngine.client(s), s, settings);
    }

    /**
     * Starts a model's container and waits until it is ready; progress goes to {@code events}.
     * Its container options come from the settings' {@code model.<id>.*} keys.
     */
    public ModelSession start(ModelSpec spec, EventSink events) throws BackendStartException {
        return new ContainerLauncher(docker, settings, http, events, () -> { })
                .launch(spec, ContainerOptions.from(raw, spec.id()));
    }

    /** Whether a container of that name runs. */
    public boolean isRunning(String containerName) {
        for (Container c : queries.byName(containerName)) {
            if ("running".equals(c.getState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Stops and removes the container of that name if it is ours.
     *
     * @return whether a container was removed
     * @throws IllegalStateException when a container of that name exists but is not ours
     */
    public boolean stop(String containerName) {
        boolean removed = false;
        for (Container c : queries.byName(containerName)) {
            if (!Labels.isOurs(c.getLabels())) {
                throw new IllegalStateException("container " + containerName + " is not snowcrash's; left alone");
            }
            removed |= new Reaper(docker).stop(c.getId());
        }
        return removed;
    }

    /**
     * Stops and removes every container carrying snowcrash's labels, running or not, whoever
     * started it (an explicit command: live owners lose their models); returns their names. When
     * the settings give {@code backend.docker.labels}, only containers that also carry those.
     */
    public List<String> stopAll() {
        return new Reaper(docker).removeEverything(settings.labels());
    }

    /** Every container carrying snowcrash's labels, running or not. */
    public List<Container> owned() {
        return queries.ours();
    }

    /** Removes the containers whose owner is provably gone; returns their names. */
    public List<String> removeAbandoned() {
        return new Reaper(docker).sweep(settings.host());
    }

    @Override
    public void close() {
        try {
            docker.close();
        } catch (IOException e) {
            // nothing to do: the connection is going away anyway
        }
    }
}
