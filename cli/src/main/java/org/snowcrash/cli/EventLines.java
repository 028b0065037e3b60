package org.snowcrash.cli;

import java.util.Optional;

import org.snowcrash.api.LifecycleEvent;

/**
 * The one rendering of lifecycle events to the stderr lines {@code snowcrash chat} and
 * {@code snowcrash serve} print ({@code starting:}, {@code fallback:}, {@code served-by:}, ...).
 *
 * <p>{@code serve} runs several models, so its lines end with the model they are about; {@code chat}
 * runs one and leaves it out except where it starts. A skipped backend is not printed: it is listed
 * by {@code snowcrash backends} and logged at {@code -v}, and a backend that was only skipped because
 * nobody configured it is not news on every run.
 */
final class EventLines {

    private EventLines() {
    }

    /** The line {@code snowcrash chat} prints for {@code e}, or empty when it is not worth a line. */
    static Optional<String> forChat(LifecycleEvent e) {
        return of(e, null, false);
    }

    /** The line {@code snowcrash serve} prints for {@code e} about {@code model}, or empty. */
    static Optional<String> forServe(String model, LifecycleEvent e) {
        return of(e, model, true);
    }

    private static Optional<String> of(LifecycleEvent e, String model, boolean perModel) {
        String suffix = perModel ? " (model " + model + ")" : "";
        String line = null;
        if (e instanceof LifecycleEvent.Starting s) {
            line = "starting: " + s.backendId() + " (model " + s.modelId() + ")";
        } else if (e instanceof LifecycleEvent.Progress p && !perModel) {
            // Progress is for the one person watching a chat start; serve's log would drown in it.
            line = "  " + p.backendId() + ": " + p.message();
        } else if (e instanceof LifecycleEvent.Ready r && !perModel) {
            line = "ready: " + r.backendId() + " in " + r.took().toMillis() + " ms";
        } else if (e instanceof LifecycleEvent.Fallback f) {
            line = "fallback: " + f.backendId() + ": " + f.reason() + suffix;
        } else if (e instanceof LifecycleEvent.ServedBy s) {
            line = "served-by: " + s.backendId() + suffix;
        } else if (e instanceof LifecycleEvent.Degraded d) {
            line = "degraded: " + d.backendId() + ": " + d.reason() + suffix;
        } else if (e instanceof LifecycleEvent.Unloaded u && perModel) {
            line = "unloaded: " + model + " from " + u.backendId() + ": " + u.reason();
        } else if (e instanceof LifecycleEvent.Stopped s && perModel) {
            line = "stopped: " + model + " on " + s.backendId();
        }
        return Optional.ofNullable(line);
    }
}
