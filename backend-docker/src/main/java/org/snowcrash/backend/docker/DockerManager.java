package org.snowcrash.backend.docker;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.EventSink;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
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
    private final OkHttpClient http = new OkHttpClient.Builder().retryOnConnectionFailure(false).build();

    private DockerManager(DockerClient docker, DockerSettings settings) {
        this.docker = docker;
        this.settings = settings;
    }

    /** Connects to the engine named by the settings ({@code backend.docker.host}, {@code DOCKER_HOST}). */
    public static DockerManager connect(Settings settings) {
        DockerSettings s = DockerSettings.from(settings, System.getenv());
        return new DockerManager(DockerEngine.client(s.host(), s.apiTimeout()), s);
    }

    /** Starts a model's container and waits until it is ready; progress goes to {@code events}. */
    public ModelSession start(ModelSpec spec, EventSink events) throws BackendStartException {
        return new ContainerLauncher(docker, settings, http, events).launch(spec);
    }

    /** Whether a container of that name runs. */
    public boolean isRunning(String containerName) {
        for (Container c : launcher().byName(containerName)) {
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
        for (Container c : launcher().byName(containerName)) {
            if (!Labels.isOurs(c.getLabels())) {
                throw new IllegalStateException("container " + containerName + " is not snowcrash's; left alone");
            }
            removed |= remove(c);
        }
        return removed;
    }

    /** Stops and removes every container carrying snowcrash's labels; returns their names. */
    public List<String> stopAll() {
        List<String> names = new ArrayList<>();
        for (Container c : owned()) {
            if (remove(c)) {
                names.add(name(c));
            }
        }
        return names;
    }

    /** Every container carrying snowcrash's labels, running or not. */
    public List<Container> owned() {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.TOOL, Labels.TOOL_VALUE)).exec();
    }

    /**
     * Removes the containers of snowcrash processes on this host that are gone, if an engine
     * answers within the ping timeout; does nothing otherwise. For tools to call at start-up.
     *
     * @return the number of containers removed
     */
    public static int removeOrphansIfReachable(Settings settings) {
        DockerSettings s = DockerSettings.from(settings, System.getenv());
        if (DockerEngine.whyUnreachable(s.host(), s.pingTimeout()).isPresent()) {
            return 0;
        }
        try (DockerManager m = new DockerManager(DockerEngine.client(s.host(), s.apiTimeout()), s)) {
            return m.launcher().removeOrphans();
        }
    }

    /** Removes the containers of processes that are gone. */
    public void removeOrphans() {
        launcher().removeOrphans();
    }

    private boolean remove(Container c) {
        try {
            docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
            ContainerTracker.untrack(c.getId());
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private static String name(Container c) {
        return c.getNames() == null || c.getNames().length == 0 ? c.getId() : c.getNames()[0].substring(1);
    }

    private ContainerLauncher launcher() {
        return new ContainerLauncher(docker, settings, http, EventSink.NONE);
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
