package org.snowcrash.backend.docker;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;

/** Every query by label or name the backend makes, and removal that tolerates a concurrent one. */
final class ContainerQueries {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerQueries.class);

    private final DockerClient docker;

    ContainerQueries(DockerClient docker) {
        this.docker = docker;
    }

    /** Every container carrying our tool label, in any state. */
    List<Container> ours() {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(Labels.TOOL, Labels.TOOL_VALUE)).exec();
    }

    /** Every container this process made. */
    List<Container> mine() {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(Labels.TOOL, Labels.TOOL_VALUE, Labels.OWNER, Labels.OWNER_ID)).exec();
    }

    /** Containers named exactly {@code name} (the engine's filter matches substrings). */
    List<Container> byName(String name) {
        List<Container> exact = new ArrayList<>();
        for (Container c : docker.listContainersCmd().withShowAll(true).withNameFilter(List.of(name)).exec()) {
            if (c.getNames() != null && List.of(c.getNames()).contains("/" + name)) {
                exact.add(c);
            }
        }
        return exact;
    }

    /**
     * Kills and removes a container, and returns once it is gone. Gone already (404) or being
     * removed by someone else at the same moment (409, "removal already in progress"; the engine
     * auto-removing an exited container) both count as removed, not as engine errors; the latter
     * is waited for, so the name is free when this returns.
     *
     * @return whether it is gone (false only when a concurrent removal had not finished in {@link #GONE_WITHIN})
     */
    boolean remove(String id) {
        try {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
            return true;
        } catch (NotFoundException e) {
            return true;
        } catch (ConflictException e) {
            if (String.valueOf(e.getMessage()).contains("already in progress")) {
                return awaitGone(id);
            }
            throw e;
        }
    }

    /** How long a removal someone else started may take before we stop waiting for it. */
    static final java.time.Duration GONE_WITHIN = java.time.Duration.ofSeconds(10);

    /** Waits (polling the engine's own state) until the container no longer exists. */
    boolean awaitGone(String id) {
        long deadline = System.nanoTime() + GONE_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                docker.inspectContainerCmd(id).exec();
            } catch (NotFoundException e) {
                return true;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        LOG.warn("container {} was still being removed after {} s", id, GONE_WITHIN.toSeconds());
        return false;
    }

    /** Removes every container of ours whose owner is provably gone ({@link Abandonment}); returns their names. */
    List<String> sweepAbandoned() {
        List<String> removed = new ArrayList<>();
        Instant now = Instant.now();
        for (Container c : ours()) {
            Instant created = Instant.ofEpochSecond(c.getCreated() == null ? 0 : c.getCreated());
            if (Abandonment.isAbandoned(c.getLabels(), c.getState(), created, now)) {
                LOG.info("removing container {} ({}, left by {})", name(c), c.getState(), Labels.describeOwner(c.getLabels()));
                if (remove(c.getId())) {
                    removed.add(name(c));
                }
            }
        }
        return removed;
    }

    static String name(Container c) {
        return c.getNames() == null || c.getNames().length == 0 ? c.getId() : c.getNames()[0].substring(1);
    }
}
