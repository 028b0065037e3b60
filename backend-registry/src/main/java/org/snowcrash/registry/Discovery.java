package org.snowcrash.registry;

import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The result of discovery: every backend found, in try order (enabled and disabled alike), and
 * every plugin that could not be loaded. Immutable.
 *
 * @param candidates backends in try order: higher priority first, ties by id
 * @param broken     plugins that failed to load, in the order they were met
 */
public record Discovery(List<Candidate> candidates, List<BrokenPlugin> broken) {

    public Discovery {
        candidates = List.copyOf(candidates);
        broken = List.copyOf(broken);
    }

    /** The candidate with this id, if discovered. */
    public Optional<Candidate> find(String id) {
        return candidates.stream().filter(c -> c.id().equals(id)).findFirst();
    }

    /**
     * The discovery narrowed to one explicitly chosen backend (the {@code --backend} option),
     * which is tried even when disabled in configuration: an explicit choice beats configuration.
     *
     * @throws UnknownBackendException when no backend has that id, naming the jar to add
     */
    public Discovery select(String id) {
        Candidate c = find(id).orElseThrow(() -> new UnknownBackendException(id, ids(), broken));
        return new Discovery(List.of(new Candidate(c.backend(), c.priority(), c.prioritySource(), true)), broken);
    }

    /**
     * Every per-model setting the discovered backends read ({@link org.snowcrash.api.LlmBackend#modelSettings()}),
     * enabled or not: a key meant for a disabled backend is still a known key. A backend whose
     * method throws contributes nothing. After {@link #select} only the chosen backend's keys:
     * take them from the discovery before selecting.
     */
    public Set<String> modelSettings() {
        Set<String> all = new TreeSet<>();
        for (Candidate c : candidates) {
            try {
                all.addAll(c.backend().modelSettings());
            } catch (RuntimeException | LinkageError e) {
                // a broken plugin must not break configuration; its keys are then reported as unknown
            }
        }
        return Collections.unmodifiableSet(all);
    }

    /** The ids of the discovered backends, in try order. */
    public List<String> ids() {
        return candidates.stream().map(Candidate::id).collect(Collectors.toList());
    }
}
