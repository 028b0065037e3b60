package org.snowcrash.api;

import java.util.Set;

/**
 * A way of running a local LLM: the plugin type that {@link java.util.ServiceLoader} discovers.
 *
 * <p>A backend jar registers its implementation with one line in
 * {@code META-INF/services/org.snowcrash.api.LlmBackend}. The registry instantiates every
 * implementation it finds, asks each for its {@linkplain #id() id}, {@linkplain #defaultPriority()
 * priority} and {@linkplain #availability(BackendContext) availability}, and the agent
 * {@linkplain #start(ModelSpec, BackendContext) starts} the first available one, falling back to
 * the next when a start fails.
 *
 * <h2>Contract for implementations</h2>
 * <ul>
 *   <li>A public no-argument constructor that does no work and never throws: discovery must stay
 *       cheap and one broken backend must not hide the others.</li>
 *   <li>{@link #id()} and {@link #defaultPriority()} are constants.</li>
 *   <li>{@link #availability(BackendContext)} is cheap, has no side effects, never throws, and
 *       says why when the answer is no.</li>
 *   <li>{@link #start(ModelSpec, BackendContext)} does the expensive work and reports every
 *       failure as a {@link BackendStartException} with a typed {@link StartFailure}.</li>
 * </ul>
 * Implementations must be thread-safe: the registry may call {@link #availability} from any
 * thread, and several models may be started concurrently.
 */
public interface LlmBackend {

    /**
     * The stable lower-case identifier ({@code docker}, {@code llamacpp}), matching
     * {@code [a-z][a-z0-9-]*}. It names the backend in configuration keys
     * ({@code backend.<id>.priority}), logs, errors and the {@code --backend} option.
     * Must not block or throw.
     */
    String id();

    /**
     * The priority used when configuration does not set {@code backend.<id>.priority}. Higher is
     * tried first; any {@code int} is allowed. The shipped backends use {@code docker = 20} and
     * {@code llamacpp = 10}; a third-party backend without an opinion should return {@code 0}.
     * Ties are broken by {@link #id()}, so the order never depends on classpath order.
     * Must not block or throw.
     */
    int defaultPriority();

    /**
     * Whether this backend can run on this machine right now, and why not when it cannot
     * (Docker socket missing, native library not loadable for this OS/arch, ...).
     *
     * <p>Called before every start attempt. It may block briefly (a bounded probe such as a
     * Docker ping with a short timeout) but must never throw: callers nevertheless guard it and
     * treat an exception as "unavailable".
     *
     * @param context configuration and the event sink; never {@code null}
     * @return {@link Availability.Available} or {@link Availability.Unavailable} with a reason
     */
    Availability availability(BackendContext context);

    /**
     * Starts the model and returns a running session. This is the expensive step: a container is
     * created and waited for, or native weights are loaded.
     *
     * <p>Blocks until the model is ready to answer or the start failed. It honours thread
     * interruption by giving up, cleaning up what it created, and throwing with
     * {@link StartFailure.Interrupted} (the interrupt flag is restored). It must leave nothing
     * behind when it fails: no container, no loaded model.
     *
     * @param spec    the model and its runtime settings; validated already
     * @param context configuration and the event sink for progress events
     * @return a running session; the caller closes it
     * @throws BackendStartException with a {@link StartFailure} describing what went wrong
     */
    ModelSession start(ModelSpec spec, BackendContext context) throws BackendStartException;

    /**
     * The per-model settings this backend reads, each the part after {@code model.<id>.} (the
     * Docker backend: {@code port}, {@code container}, {@code memory}, ...). The catalog accepts
     * them besides its own keys, so a third-party backend can have per-model options while a
     * misspelt key is still caught; the backend reads and checks their values itself (from
     * {@link BackendContext#settings()} at start). Each matches {@code [a-z][a-z0-9-]*}.
     * A constant; must not block or throw. Default: none.
     */
    default Set<String> modelSettings() {
        return Set.of();
    }

    /**
     * What this backend honours beyond plain chat: tools, JSON-schema output, grammars. The fallback
     * chain and the pool skip, with the reason recorded, a backend that lacks what a request needs,
     * and its sessions refuse such requests with {@link ChatFailure.Unsupported}. A constant; must not
     * block or throw. Default: none (a backend that knows nothing of tools is never sent any).
     */
    default Set<Capability> capabilities() {
        return Set.of();
    }
}
