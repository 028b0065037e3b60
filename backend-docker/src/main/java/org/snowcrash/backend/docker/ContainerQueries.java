package org.snowcrash.backend.docker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;

/** Every query by label or name the backend makes (removal is {@link Reaper}'s). */
final class ContainerQueries {

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

    static String name(Container c) {
        return c.getNames() == null || c.getNames().length == 0 ? c.getId() : c.getNames()[0].substring(1);
    }
}
