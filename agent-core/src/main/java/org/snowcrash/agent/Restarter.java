package org.snowcrash.agent;

import java.time.Clock;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.SessionInfo;

/**
 * Recovery: the first request to find the backend dead marks the model down (one
 * {@link LifecycleEvent.Degraded}), and the next request starts it again as the {@link Recovery}
 * policy says, once for all the callers that arrive together (the restart lock: the one
 * "start once, others wait" of a model's life after its first start).
 */
final class Restarter {

    private static final Logger LOG = LoggerFactory.getLogger(Restarter.class);

    private final StartPlan plan;
    private final Recovery recovery;
    private final AtomicReference<ModelState> state;
    /** Backends that died under this model, left out by {@link Recovery#NEXT}. */
    private final Set<String> died;
    private final Consumer<LifecycleEvent> publish;
    private final Clock clock;
    private final Object restartLock = new Object();

    Restarter(StartPlan plan, Recovery recovery, AtomicReference<ModelState> state, Set<String> died,
              Consumer<LifecycleEvent> publish, Clock clock) {
        this.plan = plan;
        this.recovery = recovery;
        this.state = state;
        this.died = died;
        this.publish = publish;
        this.clock = clock;
    }

    static boolean meansDeath(ChatFailure failure) {
        return failure instanceof ChatFailure.BackendGone || failure instanceof ChatFailure.Timeout;
    }

    /** Only the first caller to see this session die says so; later ones find it down already. */
    void markDown(ModelState.Serving serving, ChatFailure failure) {
        if (state.compareAndSet(serving, new ModelState.Down(serving))) {
            SessionInfo info = serving.session().info();
            died.add(info.backendId());
            LOG.warn("backend {} serving model {} died: {}", info.backendId(), info.modelId(), failure.describe());
            publish.accept(new LifecycleEvent.Degraded(info.backendId(), info.modelId(), failure.describe()));
        }
    }

    /** The session to use now: the serving one, or a new one when it died. */
    ModelState.Serving serving() {
        if (state.get() instanceof ModelState.Serving serving) {
            return serving;
        }
        synchronized (restartLock) {
            ModelState now = state.get();
            if (now instanceof ModelState.Serving serving) {
                return serving; // another caller restarted it while this one waited
            }
            if (now instanceof ModelState.Closed closed) {
                throw closedError(closed.last());
            }
            return restart((ModelState.Down) now);
        }
    }

    /** Called with the restart lock held. */
    private ModelState.Serving restart(ModelState.Down down) {
        SessionInfo gone = down.last().session().info();
        if (recovery == Recovery.NONE) {
            throw new ChatException(gone.backendId(), "model " + gone.modelId(), new ChatFailure.BackendGone(
                    "it died earlier and recovery is off (snowcrash.agent.recovery=none)"));
        }
        // Close first: a restart on the same backend needs the dead container's name and port.
        down.last().session().close();
        StartPlan again = recovery == Recovery.NEXT ? plan.without(died) : plan;
        LOG.info("backend {} died; starting model {} again ({})", gone.backendId(), plan.spec().id(), recovery);
        Launch launch;
        try {
            launch = again.launch(publish::accept);
        } catch (RuntimeException e) {
            throw new ChatException(gone.backendId(), "model " + plan.spec().id(), new ChatFailure.BackendGone(
                    "it died and no backend could start the model again: " + e.getMessage()), e);
        }
        ModelState.Serving serving = new ModelState.Serving(launch, clock.instant());
        if (!state.compareAndSet(down, serving)) {
            // Closed while restarting: the new session must not outlive this model.
            launch.session().close();
            throw closedError(serving);
        }
        return serving;
    }

    static ChatException closedError(ModelState.Serving last) {
        SessionInfo info = last.session().info();
        return new ChatException(info.backendId(), "model " + info.modelId(), new ChatFailure.Closed());
    }
}
