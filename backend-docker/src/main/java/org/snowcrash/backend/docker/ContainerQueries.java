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
     * Kills and removes a container. Gone already (404) or being removed by someone else at the
     * same moment (409, "removal already in progress") both count as removed: neither is an
     * engine error.
     *
     * @return whether this call or a concurrent one removed it
     */
    boolean remove(String id) {
        try {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
            return true;
        } catch (NotFoundException e) {
            return true;
        } catch (ConflictException e) {
            if (String.valueOf(e.getMessage()).contains("already in progress")) {
                return true;
            }
            throw e;
        }
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
