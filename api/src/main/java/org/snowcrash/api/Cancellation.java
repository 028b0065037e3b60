package org.snowcrash.api;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A one-way switch to cancel a streaming request from another thread. Backends register a hook
 * that stops generation at once (closing an HTTP stream, cancelling a native task); the request
 * then ends with {@link FinishReason#CANCELLED}. Thread-safe; cancelling twice is harmless.
 */
public final class Cancellation {

    private final List<Runnable> hooks = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;

    /** Cancels: runs every registered hook once. */
    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        for (Runnable hook : hooks) {
            hook.run();
        }
    }

    /** Whether {@link #cancel()} was called. */
    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * Registers what to do on cancel; runs it at once when already cancelled. For backends.
     */
    public void onCancel(Runnable hook) {
        hooks.add(hook);
        if (cancelled) {
            hook.run();
        }
    }
}
