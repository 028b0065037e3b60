package org.snowcrash.backend.docker;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;

/**
 * The one place that removes this tool's containers, whoever asks: a session that closes, the
 * JVM's exit ({@link ContainerTracker}'s hook), a launch that finds a stale container in its
 * name's way, {@code stop-all}, and the sweep for what dead processes left.
 *
 * <p>Why a sweep is still needed, and why once: every container is bound to its owner's attach
 * connection ({@link Lifeline}) and auto-removed by the engine when that closes, so a killed
 * process normally leaves nothing. What can remain is rare: a container created but never started
 * (its owner killed between the two calls), or one that exited while the engine was restarting and
 * missed its auto-removal. Those are found by {@link Abandonment}'s proof and removed by
 * {@link #sweep()}, which runs once per engine per process: the command asks for it before it
 * starts anything ({@code Housekeeping.sweepLeftovers}); a library that never calls housekeeping
 * gets it from its first launch ({@link #sweepOnce()}). Later launches do not list the engine's
 * containers again: nothing a live process owns is ever swept, and what dies after this process
 * started is the engine's to auto-remove, the next process's to sweep, or, when it holds a model's
 * name, the launch's to clear.
 */
final class Reaper {

    private static final Logger LOG = LoggerFactory.getLogger(Reaper.class);

    /** How long a removal someone else started may take before we stop waiting for it. */
    static final Duration GONE_WITHIN = Duration.ofSeconds(10);

    /** Engines (their {@code backend.docker.host}) swept by this process. */
    private static final Set<String> SWEPT = ConcurrentHashMap.newKeySet();

    private final DockerClient docker;
    private final ContainerQueries queries;

    Reaper(DockerClient docker) {
        this.docker = docker;
        this.queries = new ContainerQueries(docker);
    }

    /**
     * Removes every container of ours whose owner is provably gone ({@link Abandonment}), and
     * notes that {@code engine} was swept by this process; returns their names.
     */
    List<String> sweep(String engine) {
        SWEPT.add(engine);
        List<String> removed = new ArrayList<>();
        Instant now = Instant.now();
        for (Container c : queries.ours()) {
            Instant created = Instant.ofEpochSecond(c.getCreated() == null ? 0 : c.getCreated());
            if (Abandonment.isAbandoned(c.getLabels(), c.getState(), created, now)) {
                LOG.info("removing container {} ({}, left by {})", ContainerQueries.name(c), c.getState(),
                        Labels.describeOwner(c.getLabels()));
                if (remove(c.getId())) {
                    removed.add(ContainerQueries.name(c));
                }
            }
        }
        return removed;
    }

    /**
     * {@link #sweep}, unless this process swept {@code engine} already (a launch's call). Claimed
     * atomically, so launches that start together sweep once between them.
     */
    List<String> sweepOnce(String engine) {
        if (!SWEPT.add(engine)) {
            return List.of();
        }
        return sweep(engine);
    }

    /**
     * Stops and removes every container carrying our labels and every one of {@code scope} (the
     * configuration's {@code backend.docker.labels}; none: all of ours), running or not, whoever
     * started it ({@code stop-all}: live owners lose their models); returns their names. The scope
     * keeps one deployment's stop-all (or a test run's) off another's containers on a shared engine.
     */
    List<String> removeEverything(Map<String, String> scope) {
        List<String> names = new ArrayList<>();
        for (Container c : queries.ours()) {
            Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
            if (!labels.entrySet().containsAll(scope.entrySet())) {
                continue;
            }
            if (stop(c.getId())) {
                names.add(ContainerQueries.name(c));
            }
        }
        return names;
    }

    /**
     * An explicit stop ({@code stop-all}, the manager's {@code stop}): {@link #remove} and, since it
     * may be one of this process's own, no longer removed again at exit.
     */
    boolean stop(String id) {
        boolean gone = remove(id);
        ContainerTracker.untrack(id);
        return gone;
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

    /** Waits (polling the engine's own state: it sends no event we could wait for here) until the container is gone. */
    private boolean awaitGone(String id) {
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

    /**
     * Removes containers in parallel, each through its own engine's client; returns the names of
     * those not confirmed gone within {@code bound} (a hung engine cannot hold the caller longer).
     */
    static List<String> removeInParallel(List<ContainerTracker.Tracked> targets, Duration bound) {
        List<Thread> threads = new ArrayList<>();
        Map<String, Boolean> done = new ConcurrentHashMap<>();
        for (ContainerTracker.Tracked t : targets) {
            Thread th = new Thread(() -> {
                try {
                    if (new Reaper(t.client()).remove(t.id())) {
                        done.put(t.id(), true);
                    }
                } catch (RuntimeException e) {
                    LOG.warn("could not remove container {}: {}", t.name(), e.toString());
                }
            }, "snowcrash-remove-" + t.name());
            th.setDaemon(true);
            th.start();
            threads.add(th);
        }
        long deadline = System.nanoTime() + bound.toNanos();
        for (Thread th : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                try {
                    th.join(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        List<String> left = new ArrayList<>();
        for (ContainerTracker.Tracked t : targets) {
            if (!done.containsKey(t.id())) {
                left.add(t.name());
            }
        }
        if (!left.isEmpty()) {
            LOG.error("containers not confirmed removed within {} ms: {} (remove them with 'snowcrash stop-all')",
                    bound.toMillis(), left);
        }
        return left;
    }

    /** Forgets which engines were swept, so a test can watch a process's first launch sweep. */
    static void forgetSweeps() {
        SWEPT.clear();
    }
}
