package org.snowcrash.agent;

import java.util.function.Function;

import org.snowcrash.api.ChatException;

/**
 * How one call reaches a {@link RunningModel}'s serving session: the session is leased for the
 * call (so a fail-back that replaces it closes it only after its last call), a request may first
 * start a fail-back try, and a call that finds the backend dead marks the model down, so the next
 * one restarts it.
 */
final class ServingCalls {

    private final Restarter restarter;
    private final FailBackWorker failBack;

    ServingCalls(Restarter restarter, FailBackWorker failBack) {
        this.restarter = restarter;
        this.failBack = failBack;
    }

    /**
     * Runs {@code call} on the serving session (restarting the model first when it died earlier).
     *
     * @param mayFailBack whether this call may start a fail-back try (requests do; counting
     *                    prompt tokens does not, so a turn is planned and sent on one backend)
     */
    <T> T run(Function<ModelState.Serving, T> call, boolean mayFailBack) {
        ModelState.Serving serving = acquire();
        try {
            if (mayFailBack) {
                failBack.maybeStart(serving);
            }
            return call.apply(serving);
        } catch (ChatException e) {
            if (Restarter.meansDeath(e.failure())) {
                restarter.markDown(serving, e.failure());
            }
            throw e;
        } finally {
            if (serving.lease().release()) {
                serving.session().close();
            }
        }
    }

    /** The serving session with this call counted on it. */
    private ModelState.Serving acquire() {
        while (true) {
            ModelState.Serving s = restarter.serving();
            if (s.lease().acquire()) {
                return s;
            }
            // Fail-back replaced it between the read and the count: the state holds its successor.
        }
    }
}
