package org.snowcrash.backend.docker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.dockerjava.api.DockerClient;

/**
 * The containers this process started, and the one JVM shutdown hook that removes them on
 * normal exit, Ctrl-C (SIGINT) and SIGTERM. Removal runs in parallel under an overall bound, so
 * a hung daemon cannot keep the JVM alive; the containers it could not remove are named in the
 * log. (SIGKILL runs no hook; containers then end by themselves, see {@link Lifeline}.)
 */
final class ContainerTracker {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerTracker.class);

    /** A container to remove: its id and name, and the client that reaches its engine. */
    record Tracked(String id, String name, DockerClient client, Duration bound) {
    }

    private static final Map<String, Tracked> LIVE = new ConcurrentHashMap<>();
    /** Clients that created containers, to find by label what a racing exit left untracked. */
    private static final Map<DockerClient, Duration> CLIENTS = new ConcurrentHashMap<>();
    private static final Object CREATING = new Object();
    private static int inFlight;
    private static volatile boolean shuttingDown;
    private static volatile boolean hookInstalled;

    private ContainerTracker() {
    }

    /**
     * Announces a container creation. Between the create call and {@link #track} a container
     * exists that the tracker does not know yet; the shutdown hook waits for such creations to
     * finish and then also removes, by label, every container of this process it finds.
     *
     * @throws IllegalStateException when the JVM is already shutting down (nothing is created then)
     */
    static void beginCreate(DockerClient client, Duration bound) {
        installHook();
        synchronized (CREATING) {
            if (shuttingDown) {
                throw new IllegalStateException("the JVM is shutting down; no container is created");
            }
            inFlight++;
        }
        CLIENTS.putIfAbsent(client, bound);
    }

    /** Stops using a client that is about to be closed, for the exit sweep. */
    static void forget(DockerClient client) {
        CLIENTS.remove(client);
    }

    /** Ends what {@link #beginCreate} began, whether the create succeeded or not. */
    static void endCreate() {
        synchronized (CREATING) {
            inFlight--;
            CREATING.notifyAll();
        }
    }

    static void track(Tracked t) {
        installHook();
        LIVE.put(t.id(), t);
    }

    static void untrack(String id) {
        LIVE.remove(id);
    }

    /** Removes one container (kill + remove), within its bound. Returns whether it is gone. */
    static boolean remove(Tracked t) {
        if (LIVE.remove(t.id()) == null) {
            // Removed already (stop-all, or the shutdown hook got there first).
            return true;
        }
        return Reaper.removeInParallel(List.of(t), t.bound()).isEmpty();
    }

    private static void installHook() {
        if (hookInstalled) {
            return;
        }
        synchronized (ContainerTracker.class) {
            if (hookInstalled) {
                return;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(ContainerTracker::shutdown, "snowcrash-docker-shutdown"));
            hookInstalled = true;
        }
    }

    /**
     * The hook's body. Everything, the listing of containers included, runs within one bound
     * ({@code backend.docker.stop-timeout}), so a hung daemon cannot keep the process from ending;
     * what could not be removed is named. Containers not removed here still end by themselves
     * when this process's attach connections close (see {@link Lifeline}).
     */
    private static void shutdown() {
        Duration bound = CLIENTS.values().stream().max(Duration::compareTo).orElse(Duration.ofSeconds(10));
        long deadline = System.nanoTime() + bound.toNanos();
        Thread work = new Thread(() -> shutdownWithin(deadline), "snowcrash-docker-exit");
        work.setDaemon(true);
        work.start();
        try {
            work.join(Math.max(1, bound.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (work.isAlive()) {
            List<String> names = LIVE.values().stream().map(Tracked::name).toList();
            LOG.error("the Docker engine did not confirm removal within {} ms; not confirmed: {} (they stop by "
                    + "themselves when this process ends; 'snowcrash stop-all' removes what is left)", bound.toMillis(),
                    names.isEmpty() ? "(listing did not finish)" : names);
        }
    }

    private static void shutdownWithin(long deadline) {
        synchronized (CREATING) {
            shuttingDown = true;
            // Let creations in flight finish, so their containers exist and can be found below.
            while (inFlight > 0 && System.nanoTime() < deadline) {
                try {
                    CREATING.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        List<Tracked> all = new ArrayList<>(LIVE.values());
        // Containers created by this process but not yet tracked when the exit came (found by owner label).
        for (DockerClient client : CLIENTS.keySet()) {
            try {
                for (com.github.dockerjava.api.model.Container c : new ContainerQueries(client).mine()) {
                    if (!LIVE.containsKey(c.getId())) {
                        all.add(new Tracked(c.getId(), ContainerQueries.name(c), client, Duration.ofNanos(
                                Math.max(1, deadline - System.nanoTime()))));
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("could not list containers at exit: {}", e.toString());
            }
        }
        if (!all.isEmpty()) {
            List<String> left = Reaper.removeInParallel(all, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (left.isEmpty()) {
                LIVE.clear();
            } else {
                LIVE.keySet().retainAll(all.stream().filter(t -> left.contains(t.name())).map(Tracked::id).toList());
            }
        }
    }
}
