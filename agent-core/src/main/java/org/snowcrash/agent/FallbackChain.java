package org.snowcrash.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Set;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.agent.internal.Listeners;
import org.snowcrash.api.Availability;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.Capability;
import org.snowcrash.api.EventSink;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.api.StartFailure;
import org.snowcrash.models.ModelCatalog;
import org.snowcrash.models.ModelValidator;
import org.snowcrash.registry.Candidate;
import org.snowcrash.registry.Discovery;

/**
 * Starts a model on the first backend that can, in try order.
 *
 * <p>The model file is validated first: an invalid file is the user's to fix and is reported
 * once, with no backend tried. Then each candidate is skipped when disabled or unavailable
 * (with its reason) or started; a failed start moves on to the next. Exceptions and
 * {@link LinkageError}s from a backend count as failures of that backend; a
 * {@link VirtualMachineError} is let through. An interrupt stops the chain at once.
 * Stateless; thread-safe. Internal: {@link RunningModel} is the one caller.
 */
final class FallbackChain {

    private static final Logger LOG = LoggerFactory.getLogger(FallbackChain.class);

    private FallbackChain() {
    }

    /**
     * Starts {@code spec} on the first backend of {@code discovery} that can.
     *
     * @throws InvalidModelException      when the model file is unusable (nothing was tried)
     * @throws NoBackendStartedException  when every backend was skipped or failed
     * @throws InterruptedStartException  when the calling thread was interrupted
     */
    static Launch start(Discovery discovery, ModelSpec spec, Settings settings, EventSink events) {
        return start(discovery, spec, settings, events, Set.of());
    }

    /**
     * As {@link #start(Discovery, ModelSpec, Settings, EventSink)}, skipping (with the reason recorded)
     * every backend that does not declare all of {@code needs}.
     */
    static Launch start(Discovery discovery, ModelSpec spec, Settings settings, EventSink events, Set<Capability> needs) {
        ModelValidator.problem(spec.file()).ifPresent(p -> {
            // A missing catalog file that has a source: the message names the command that gets it.
            throw new InvalidModelException(spec.id(), ModelCatalog.withPullHint(p, spec, settings));
        });
        EventSink sink = safe(events);
        BackendContext context = new BackendContext(settings, sink);
        List<Attempt> attempts = new ArrayList<>();
        for (Candidate c : discovery.candidates()) {
            long t0 = System.nanoTime();
            if (!c.enabled()) {
                attempts.add(new Attempt(c.id(), c.priority(), new Attempt.Disabled("backend." + c.id() + ".enabled"), since(t0)));
                sink.publish(new LifecycleEvent.Skipped(c.id(), "disabled"));
                continue;
            }
            Set<Capability> missing = missing(c, needs);
            if (!missing.isEmpty()) {
                Attempt.Incapable incapable = new Attempt.Incapable(missing);
                attempts.add(new Attempt(c.id(), c.priority(), incapable, since(t0)));
                LOG.warn("backend {} skipped: {}", c.id(), incapable.describe());
                sink.publish(new LifecycleEvent.Skipped(c.id(), incapable.describe()));
                sink.publish(new LifecycleEvent.Fallback(c.id(), incapable.describe()));
                continue;
            }
            Availability availability;
            try {
                availability = c.backend().availability(context);
                if (availability == null) {
                    availability = Availability.unavailable("availability() returned null (a bug in the backend)");
                }
            } catch (Exception | LinkageError e) {
                availability = Availability.unavailable("availability check threw " + e);
            }
            if (availability instanceof Availability.NotConfigured notConfigured) {
                // Never set up here: listed (events, 'snowcrash backends', -v) but not a fallback,
                // which would tell every user on every run about a backend they never asked for.
                attempts.add(new Attempt(c.id(), c.priority(), new Attempt.NotConfigured(notConfigured.howTo()), since(t0)));
                LOG.debug("backend {} not configured: {}", c.id(), notConfigured.howTo());
                sink.publish(new LifecycleEvent.Skipped(c.id(), "not configured: " + notConfigured.howTo()));
                continue;
            }
            if (availability instanceof Availability.Unavailable unavailable) {
                String reason = unavailable.reason();
                attempts.add(new Attempt(c.id(), c.priority(), new Attempt.Unavailable(reason), since(t0)));
                LOG.warn("backend {} unavailable: {}", c.id(), reason);
                sink.publish(new LifecycleEvent.Skipped(c.id(), reason));
                sink.publish(new LifecycleEvent.Fallback(c.id(), reason));
                continue;
            }
            sink.publish(new LifecycleEvent.Starting(c.id(), spec.id()));
            long s0 = System.nanoTime();
            try {
                ModelSession session = c.backend().start(spec, context);
                if (session == null) {
                    throw new BackendStartException(c.id(), spec.id(), new StartFailure.Other("start() returned null (a bug in the backend)"));
                }
                Duration took = since(s0);
                attempts.add(new Attempt(c.id(), c.priority(), new Attempt.Started(session.info().detail()), since(t0)));
                LOG.info("model {} served by backend {} (ready in {} ms)", spec.id(), c.id(), took.toMillis());
                sink.publish(new LifecycleEvent.Ready(c.id(), spec.id(), took));
                sink.publish(new LifecycleEvent.ServedBy(c.id(), spec.id()));
                return new Launch(session, attempts, capabilities(c));
            } catch (BackendStartException e) {
                if (e.failure() instanceof StartFailure.Interrupted || Thread.currentThread().isInterrupted()) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedStartException(spec.id(), e);
                }
                recordFailure(attempts, c, spec, e.failure(), e, t0, s0, sink);
                if (e.failure().isUserError()) {
                    throw new NoBackendStartedException(spec.id(), attempts, discovery.broken());
                }
            } catch (Exception | LinkageError e) {
                StartFailure f = new StartFailure.Other(e.getClass().getSimpleName() + ": " + e.getMessage());
                recordFailure(attempts, c, spec, f, e, t0, s0, sink);
            }
        }
        throw new NoBackendStartedException(spec.id(), attempts, discovery.broken());
    }

    /** What {@code needs} asks of {@code c} that it does not declare. */
    static Set<Capability> missing(Candidate c, Set<Capability> needs) {
        Set<Capability> missing = EnumSet.noneOf(Capability.class);
        missing.addAll(needs);
        missing.removeAll(capabilities(c));
        return missing;
    }

    /** The backend's declared capabilities; a backend that throws or answers null declares none. */
    static Set<Capability> capabilities(Candidate c) {
        try {
            Set<Capability> declared = c.backend().capabilities();
            return declared == null ? Set.of() : declared;
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("backend {}: capabilities() threw {}; taking none", c.id(), e.toString());
            return Set.of();
        }
    }

    private static void recordFailure(List<Attempt> attempts, Candidate c, ModelSpec spec, StartFailure f,
                                      Throwable e, long t0, long s0, EventSink sink) {
        String reason = f.describe();
        attempts.add(new Attempt(c.id(), c.priority(), new Attempt.Failed(reason, e), since(t0)));
        LOG.warn("backend {} failed to start model {}: {}", c.id(), spec.id(), reason);
        sink.publish(new LifecycleEvent.Failed(c.id(), spec.id(), f, since(s0)));
        sink.publish(new LifecycleEvent.Fallback(c.id(), firstLine(reason)));
    }

    /** The first line of a message (a failure's detail may carry log lines after it). */
    static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** A sink whose exceptions are logged, not propagated: a broken viewer must not break a start. */
    static EventSink safe(EventSink events) {
        Listeners<EventSink> one = new Listeners<>(List.of(events));
        return event -> one.publish(event, EventSink::publish);
    }
}
