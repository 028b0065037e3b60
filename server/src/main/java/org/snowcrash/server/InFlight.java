package org.snowcrash.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.snowcrash.api.Cancellation;

/**
 * The chat requests running now, so that a shutdown can stop taking new ones, wait for these up
 * to a bound, and then cancel the rest. Thread-safe; waiting is woken by each request's end,
 * never by polling.
 */
final class InFlight {

    /** One running request. */
    static final class Request {
        final String model;
        final Cancellation cancellation = new Cancellation();
        private volatile boolean cut;

        Request(String model) {
            this.model = model;
        }

        /** Whether the shutdown cancelled this request (and not its client). */
        boolean cutByShutdown() {
            return cut;
        }
    }

    private final Set<Request> running = new LinkedHashSet<>();
    private boolean draining;
    private boolean hurried;

    /** Registers a request, or returns empty when the server is shutting down. */
    synchronized Optional<Request> enter(String model) {
        if (draining) {
            return Optional.empty();
        }
        Request r = new Request(model);
        running.add(r);
        return Optional.of(r);
    }

    /** The request ended, however it ended. */
    synchronized void exit(Request r) {
        running.remove(r);
        notifyAll();
    }

    synchronized boolean draining() {
        return draining;
    }

    /** Refuses new requests from now on; returns how many run. */
    synchronized int startDraining() {
        draining = true;
        return running.size();
    }

    /** Waits until no request runs or {@code bound} passed; returns how many still run. */
    synchronized int awaitIdle(Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!running.isEmpty() && !hurried) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return running.size();
    }

    /** Ends every {@link #awaitIdle} at once (a second signal: stop waiting). */
    synchronized void hurry() {
        hurried = true;
        notifyAll();
    }

    /** Cancels every running request as cut by the shutdown; returns how many. */
    int cutAll() {
        List<Request> now;
        synchronized (this) {
            now = new ArrayList<>(running);
        }
        for (Request r : now) {
            r.cut = true;
            r.cancellation.cancel(); // outside the lock: cancel hooks close streams and may take a moment
        }
        return now.size();
    }
}
