package org.snowcrash.bench.soak;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Causes faults for real, one at a time, in turn: a model's container killed ({@code docker
 * kill}), frozen mid-answer ({@code docker pause}, and {@code unpause} once a request it froze has
 * failed), the engine connection cut (every connection through the {@link EngineProxy}), and the
 * server's queue overfilled (a burst of more requests than the model admits at once plus its
 * queue). Each fault waits for its moment by events (a request in flight) and the next waits for
 * the service to answer again, so faults never pile into one outage.
 */
final class ChaosLoop implements Runnable {

    /** The kinds of fault. */
    enum Fault { KILL, PAUSE, ENGINE_CUT, QUEUE_FILL }

    private final DockerCli docker;
    private final EngineProxy proxy;
    private final Ledger ledger;
    private final List<String> parts;
    private final Duration interval;
    private final Duration freezeBound;
    private final Consumer<String> log;
    private final Burst bursts;
    private final Map<Fault, Integer> caused = new EnumMap<>(Fault.class);
    private final Map<Fault, Integer> tried = new EnumMap<>(Fault.class);
    private volatile boolean stopping;
    private long refused;
    private long frozenTimeouts;
    private String paused;

    /**
     * @param parts           the labelled parts whose containers may be hit ({@code serve}, {@code agent-1}, ...)
     * @param bursts          the queue-fill bursts (more requests than max-in-flight plus queue)
     * @param interval        the quiet time after the service answers again, before the next fault
     * @param freezeBound     how long a pause may last when no request fails in it
     */
    ChaosLoop(DockerCli docker, EngineProxy proxy, Ledger ledger, Burst bursts, List<String> parts, Duration interval,
              Duration freezeBound, Consumer<String> log) {
        this.docker = docker;
        this.proxy = proxy;
        this.ledger = ledger;
        this.parts = List.copyOf(parts);
        this.interval = interval;
        this.freezeBound = freezeBound;
        this.log = log;
        this.bursts = bursts;
        for (Fault f : Fault.values()) {
            caused.put(f, 0);
            tried.put(f, 0);
        }
    }

    @Override
    public void run() {
        int round = 0;
        try {
            while (!stopping) {
                Fault f = Fault.values()[round % Fault.values().length];
                String part = parts.get((round / Fault.values().length) % parts.size());
                long answered = ledger.answeredSoFar();
                synchronized (this) {
                    tried.merge(f, 1, Integer::sum);
                }
                boolean ok = switch (f) {
                    case KILL -> kill(part);
                    case PAUSE -> pause(part);
                    case ENGINE_CUT -> cut();
                    case QUEUE_FILL -> fill();
                };
                if (ok) {
                    synchronized (this) {
                        caused.merge(f, 1, Integer::sum);
                    }
                }
                round++;
                awaitAnswerAfter(answered);
                pace(interval);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            thaw();
        }
    }

    private boolean kill(String part) throws InterruptedException {
        awaitServing(part);
        List<String> ids = docker.containers(part);
        if (ids.isEmpty()) {
            note("kill " + part + ": no container running (it is being restarted)");
            return false;
        }
        DockerCli.Result r = docker.run("kill", ids.get(0));
        note("kill " + part + " " + shortId(ids.get(0)) + (r.ok() ? "" : ": " + r.out().strip()));
        return r.ok();
    }

    /** How often a pause is tried again when the part's request ended before the freeze took hold. */
    private static final int PAUSE_TRIES = 5;

    private boolean pause(String part) throws InterruptedException {
        String sources = sources(part);
        for (int attempt = 1; attempt <= PAUSE_TRIES && !stopping; attempt++) {
            awaitServing(part);
            List<String> ids = docker.containers(part);
            if (ids.isEmpty()) {
                note("pause " + part + ": no container running (it is being restarted)");
                return false;
            }
            long timeoutsBefore = ledger.timeouts(sources);
            if (!freeze(part, ids.get(0))) {
                return false;
            }
            if (ledger.inFlight(sources) == 0) {
                // The answer ended between the wait above and the freeze (a demo model's turn can
                // take less than the docker command): nothing is frozen mid-answer, so nothing may
                // time out. Not the fault this is meant to be; thawed and tried again.
                thaw();
                note("pause " + part + " " + shortId(ids.get(0)) + ": no request in flight when it froze, unpaused (try "
                        + attempt + " of " + PAUSE_TRIES + ")");
                continue;
            }
            // Frozen until a request it holds fails with a typed timeout (the backend's idle timeout), or the bound.
            long until = System.nanoTime() + freezeBound.toNanos();
            while (ledger.timeouts(sources) == timeoutsBefore && System.nanoTime() < until && !stopping) {
                pace(Duration.ofMillis(50));
            }
            boolean timedOut = ledger.timeouts(sources) > timeoutsBefore;
            thaw();
            if (timedOut) {
                synchronized (this) {
                    frozenTimeouts++;
                }
            }
            note("pause " + part + " " + shortId(ids.get(0)) + (timedOut ? ", a frozen request failed with a typed timeout, unpaused"
                    : ", no request timed out within " + freezeBound.toSeconds() + " s, unpaused"));
            return true;
        }
        return false;
    }

    /** {@code docker pause}; true when the container is frozen. */
    private boolean freeze(String part, String id) throws InterruptedException {
        DockerCli.Result r = docker.run("pause", id);
        // runc's cgroup-v1 freezer sometimes gives up ("unable to freeze") while the server's
        // threads are busy; a few tries more get it.
        for (int i = 0; i < 5 && !r.ok() && r.out().contains("unable to freeze"); i++) {
            pace(Duration.ofMillis(200));
            r = docker.run("pause", id);
        }
        if (!r.ok()) {
            note("pause " + part + ": " + r.out().strip());
            return false;
        }
        synchronized (this) {
            paused = id;
        }
        return true;
    }

    /** Unpauses what this loop paused; gone already (the backend removed it after the timeout) is fine. */
    private void thaw() {
        String id;
        synchronized (this) {
            id = paused;
            paused = null;
        }
        if (id != null) {
            docker.run("unpause", id);
        }
    }

    private boolean cut() throws InterruptedException {
        awaitInFlight();
        int n = proxy.cut();
        note("engine connection cut: " + n + " connections");
        return n > 0;
    }

    /**
     * One burst before the run's clock starts, not counted as a fault: the server's thread pool
     * grows to what a burst needs the first time it meets one, and that growth belongs before the
     * first tenth, where the run's resources are compared from (its requests are in the ledger).
     */
    void warmUp() throws InterruptedException {
        bursts.send();
    }

    /** Bursts until one request is refused as the queue is full (at most three bursts). */
    private boolean fill() throws InterruptedException {
        for (int attempt = 0; attempt < 3 && !stopping; attempt++) {
            int busy = bursts.send();
            synchronized (this) {
                refused += busy;
            }
            note("queue fill: " + bursts.size() + " at once, " + busy + " refused with 429 model_busy");
            if (busy > 0) {
                return true;
            }
        }
        return false;
    }

    /** The source prefix of a part's own clients: serve's are the HTTP ones, an agent's is the one of its name. */
    private static String sources(String part) {
        return part.equals("serve") ? "http-" : part;
    }

    /**
     * Waits until the part serves (one of its clients got a full answer since this was called, so
     * its container is not still starting) and one of its requests is in flight: the moment a
     * fault hits a server mid-answer.
     */
    private void awaitServing(String part) throws InterruptedException {
        String src = sources(part);
        long before = ledger.answers(src);
        long until = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while ((ledger.answers(src) == before || ledger.inFlight(src) == 0) && !stopping && System.nanoTime() < until) {
            pace(Duration.ofMillis(5));
        }
    }

    private void awaitInFlight() throws InterruptedException {
        while (ledger.inFlight() == 0 && !stopping) {
            pace(Duration.ofMillis(10));
        }
    }

    /** Waits until the service answers a request in full again (bounded: a run may end meanwhile). */
    private void awaitAnswerAfter(long answered) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (ledger.answeredSoFar() <= answered && !stopping && System.nanoTime() < until) {
            pace(Duration.ofMillis(50));
        }
    }

    private static void pace(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis()); // pacing the load, never a wait for a state: states are polled above
    }

    private void note(String line) {
        ledger.event(line);
        log.accept("chaos: " + line);
    }

    private static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    /** Stops after the fault in progress. */
    void stop() {
        stopping = true;
    }

    /** Faults caused, per kind. */
    synchronized Map<Fault, Integer> caused() {
        return Map.copyOf(caused);
    }

    /** Faults attempted, per kind. */
    synchronized Map<Fault, Integer> tried() {
        return Map.copyOf(tried);
    }

    /** Pauses during which a request of the frozen part failed with a typed timeout. */
    synchronized long frozenTimeouts() {
        return frozenTimeouts;
    }

    /** Requests refused with 429 during bursts. */
    synchronized long refused() {
        return refused;
    }

}
