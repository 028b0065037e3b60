package org.snowcrash.bench.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every request of the run with its one outcome. A request is opened with its scene, its
 * deadline and a way to give up on it; at the deadline a request still without an outcome is cut
 * (its connection closed, its turn cancelled) and, if still nothing comes, counted lost. An
 * outcome after the deadline also counts as lost: the promise is an outcome within the timeout.
 * Thread-safe.
 */
final class Ledger implements AutoCloseable {

    /** One request: who sent it, for which scene, until when. */
    record Ticket(long id, String source, Scenes.Scene scene, long openedNanos, long deadlineNanos) {
    }

    /** Something done to the system under test, and when. */
    private record Event(String what, long atNanos) {
    }

    private final Scenes scenes;
    private final Duration timeout;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "soak-watchdog");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Open> open = new ConcurrentHashMap<>();
    private final Map<Long, Boolean> closed = new ConcurrentHashMap<>();
    private final Map<String, Long> typed = new TreeMap<>();
    /** Typed timeouts per source (a client's name), which tell a frozen server from other failures. */
    private final Map<String, Long> timeouts = new TreeMap<>();
    /** Full answers per source, which tell whether a part serves again. */
    private final Map<String, Long> answers = new TreeMap<>();
    private final List<String> defects = new ArrayList<>();
    private long answered;
    private long offScene;
    private long mixed;
    private long duplicated;
    private long lost;
    private long untyped;

    private record Open(Ticket ticket, ScheduledFuture<?> cut) {
    }

    /**
     * The objects of the scenes asked on each path to a model: serve's container (every HTTP
     * client, burst and calibration request) or an agent's own container. Only an answer naming
     * objects asked on its own path can be another request's answer; one naming objects asked
     * only elsewhere is the model's own slip.
     */
    private final Map<String, Set<String>> askedOnPath = new ConcurrentHashMap<>();
    private volatile Event lastEvent;

    Ledger(Scenes scenes, Duration timeout) {
        this.scenes = scenes;
        this.timeout = timeout;
    }

    /**
     * Notes something done to the system under test (a fault caused), so that a defect can say what
     * happened last before it: the chaos loop's log and the defect lines carry no shared clock otherwise.
     */
    void event(String what) {
        lastEvent = new Event(what, System.nanoTime());
    }

    /** When a request ran, against the last event noted before it ended. */
    private String when(Ticket t) {
        long ended = System.nanoTime();
        Event e = lastEvent;
        String ran = String.format(java.util.Locale.ROOT, "(ran %.2f s", (ended - t.openedNanos()) / 1e9);
        if (e == null || e.atNanos() > ended) {
            return ran + ", no fault before it)";
        }
        return ran + String.format(java.util.Locale.ROOT, "; it began %+.2f s from the last fault: %s)",
                (t.openedNanos() - e.atNanos()) / 1e9, e.what());
    }

    /** Opens a request; {@code giveUp} runs once at its deadline if it has no outcome by then. */
    Ticket open(String source, Scenes.Scene scene, Runnable giveUp) {
        long now = System.nanoTime();
        Ticket t = new Ticket(ids.incrementAndGet(), source, scene, now, now + timeout.toNanos());
        askedOnPath.computeIfAbsent(path(source), k -> ConcurrentHashMap.newKeySet()).addAll(scene.objects());
        ScheduledFuture<?> cut = watchdog.schedule(() -> {
            if (open.containsKey(t.id())) {
                giveUp.run();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        open.put(t.id(), new Open(t, cut));
        return t;
    }

    /** Records a request's outcome; a second one for the same request is a duplicate. */
    void close(Ticket t, Outcome outcome) {
        boolean late = System.nanoTime() > t.deadlineNanos();
        Open o = open.remove(t.id());
        synchronized (this) {
            if (o == null || closed.putIfAbsent(t.id(), Boolean.TRUE) != null) {
                duplicated++;
                defects.add("request " + t.id() + " (" + t.source() + ") had a second outcome: " + outcome);
                return;
            }
            o.cut().cancel(false);
            if (late) {
                lost++;
                notifyAll();
                defects.add("request " + t.id() + " (" + t.source() + ") ended after its timeout: " + outcome);
                return;
            }
            if (outcome instanceof Outcome.Answered a) {
                answered(t, a);
            } else if (outcome instanceof Outcome.Typed f) {
                typed.merge(f.kind(), 1L, Long::sum);
                if (f.kind().toLowerCase(java.util.Locale.ROOT).contains("timeout")) {
                    timeouts.merge(t.source(), 1L, Long::sum);
                }
            } else if (outcome instanceof Outcome.Untyped u) {
                untyped++;
                defects.add("request " + t.id() + " (" + t.source() + ") failed untyped: " + u.what() + " " + when(t));
            }
            notifyAll();
        }
    }

    /** An agent's requests go to its own container; every other source's through serve's. */
    private static String path(String source) {
        return source.startsWith("agent-") ? source : "serve";
    }

    private void answered(Ticket t, Outcome.Answered a) {
        switch (scenes.match(t.scene(), a.text(), askedOnPath.getOrDefault(path(t.source()), Set.of()))) {
            case OWN -> {
                answers.merge(t.source(), 1L, Long::sum);
                if (repeats(a.text())) {
                    duplicated++;
                    defects.add("request " + t.id() + " (" + t.source() + ") repeats itself: " + a.text());
                } else {
                    answered++;
                }
            }
            case MIXED -> {
                mixed++;
                defects.add("request " + t.id() + " (" + t.source() + ", scene " + t.scene().objects()
                        + ") got another scene's answer: " + a.text());
            }
            case OFF_SCENE -> {
                answers.merge(t.source(), 1L, Long::sum);
                answered++;
                offScene++;
            }
        }
    }

    /** Whether a sentence of the answer comes twice (an answer delivered twice into one stream). */
    private static boolean repeats(String text) {
        List<String> seen = new ArrayList<>();
        for (String s : text.split("(?<=[.!?])\\s+")) {
            String k = s.strip();
            if (k.length() >= 12) {
                if (seen.contains(k)) {
                    return true;
                }
                seen.add(k);
            }
        }
        return false;
    }

    /** Requests answered in full so far. */
    synchronized long answeredSoFar() {
        return answered;
    }

    /** Requests without an outcome now. */
    int inFlight() {
        return open.size();
    }

    /** Requests without an outcome now, of the sources that start with this. */
    long inFlight(String sourcePrefix) {
        return open.values().stream().filter(o -> o.ticket().source().startsWith(sourcePrefix)).count();
    }

    /** Full answers so far to the sources that start with this. */
    synchronized long answers(String sourcePrefix) {
        return answers.entrySet().stream().filter(e -> e.getKey().startsWith(sourcePrefix))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /** Typed timeouts so far of the requests whose source starts with this. */
    synchronized long timeouts(String sourcePrefix) {
        return timeouts.entrySet().stream().filter(e -> e.getKey().startsWith(sourcePrefix))
                .mapToLong(Map.Entry::getValue).sum();
    }


    /**
     * The counts, after waiting up to {@code grace} past the last deadline for outcomes; what has
     * none by then is lost.
     */
    Counts settle(Duration grace) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos() + grace.toNanos();
        synchronized (this) {
            while (!open.isEmpty() && System.nanoTime() < until) {
                wait(100);
            }
            for (Open o : open.values()) {
                lost++;
                defects.add("request " + o.ticket().id() + " (" + o.ticket().source() + ") never ended");
            }
            open.clear();
            return new Counts(ids.get(), answered, offScene, Map.copyOf(typed), untyped, lost, duplicated, mixed,
                    List.copyOf(defects));
        }
    }

    /**
     * The run's requests by outcome.
     *
     * @param offScene answered in full, unmixed, but not naming exactly the scene's objects (included in answered)
     * @param defects  one line per untyped, lost, duplicated or mixed request
     */
    record Counts(long requests, long answered, long offScene, Map<String, Long> typed, long untyped, long lost,
                  long duplicated, long mixed, List<String> defects) {
        long typedTotal() {
            return typed.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }
}
