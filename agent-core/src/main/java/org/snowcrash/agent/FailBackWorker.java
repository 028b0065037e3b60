package org.snowcrash.agent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.LifecycleEvent;

/**
 * Fail-back ({@link FailBack}): a request that finds the model on a lower backend, the interval
 * after that session started or after the last try (by the model's clock), starts the preferred
 * backends again on a background thread, quietly; when one starts, the model moves there between
 * requests and the old session is closed once its requests in flight have ended.
 */
final class FailBackWorker {

    private static final Logger LOG = LoggerFactory.getLogger(FailBackWorker.class);

    private final StartPlan plan;
    private final FailBack failBack;
    private final AtomicReference<ModelState> state;
    private final Set<String> died;
    private final Consumer<LifecycleEvent> publish;
    private final Clock clock;
    /**
     * Held by a fail-back from its state change to its last event, and by the model's close for
     * its state change: a listener never hears a fail-back's {@code ServedBy} after {@code Stopped}.
     */
    final Object moveLock = new Object();
    /** One fail-back try at a time; the time of the last one ended. */
    private final AtomicBoolean failingBack = new AtomicBoolean();
    private volatile Instant lastTry;
    private volatile Thread thread;

    FailBackWorker(StartPlan plan, FailBack failBack, AtomicReference<ModelState> state, Set<String> died,
                   Consumer<LifecycleEvent> publish, Clock clock) {
        this.plan = plan;
        this.failBack = failBack;
        this.state = state;
        this.died = died;
        this.publish = publish;
        this.clock = clock;
        this.lastTry = clock.instant();
    }

    /**
     * Starts a fail-back try in the background when one is due: switched on, served by a backend
     * below a preferred one, and the interval passed since this session started or the last try.
     */
    void maybeStart(ModelState.Serving serving) {
        if (!failBack.enabled()) {
            return;
        }
        // The clock first: most requests come within the interval and need nothing else.
        Instant since = serving.since().isAfter(lastTry) ? serving.since() : lastTry;
        if (Duration.between(since, clock.instant()).compareTo(failBack.interval()) < 0) {
            return;
        }
        StartPlan preferred = plan.before(serving.session().info().backendId());
        if (preferred.discovery().candidates().isEmpty() || !failingBack.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                failBack(serving, preferred);
            } finally {
                lastTry = clock.instant();
                thread = null;
                failingBack.set(false);
            }
        }, "snowcrash-fail-back-" + plan.spec().id());
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** The model closed: a start in progress is abandoned (its session, if any, is closed by the try). */
    void abandon() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    /**
     * Starts the preferred backends quietly; when one starts, the model moves there (its start
     * events are published then) and {@code serving} is closed once its requests have ended.
     */
    private void failBack(ModelState.Serving serving, StartPlan preferred) {
        String from = serving.session().info().backendId();
        List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
        Launch launch;
        try {
            if (state.get() != serving) {
                return; // closed, died or replaced since the request that asked
            }
            launch = preferred.launch(events::add);
        } catch (RuntimeException e) {
            if (state.get() instanceof ModelState.Closed) {
                LOG.debug("fail-back of model {} abandoned: the model was closed", plan.spec().id());
            } else {
                LOG.info("model {} stays on backend {}: the preferred backends did not start ({})", plan.spec().id(), from,
                        FallbackChain.firstLine(String.valueOf(e.getMessage())));
            }
            return;
        }
        // An interrupt from close() meant the start; what follows must not be cut short by it.
        boolean interrupted = Thread.interrupted();
        ModelState.Serving next = new ModelState.Serving(launch, clock.instant());
        boolean moved;
        boolean closeOld = false;
        synchronized (moveLock) {
            moved = state.compareAndSet(serving, next);
            if (moved) {
                String to = launch.session().info().backendId();
                died.remove(to);
                LOG.info("model {} is back on backend {} (it was served by {})", plan.spec().id(), to, from);
                closeOld = serving.lease().retire();
            }
        }
        if (!moved) {
            launch.session().close(); // closed or died meanwhile: the new session must not outlive it
        } else {
            if (closeOld) {
                serving.session().close(); // idle: closed before ServedBy; else by its last request
            }
            synchronized (moveLock) {
                // Not after Stopped, nor after the new session's own Degraded: then it is over already.
                if (state.get() == next) {
                    events.forEach(publish);
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
