package org.snowcrash.agent;

import java.util.Set;
import org.snowcrash.api.Capability;

import java.util.List;

import org.snowcrash.api.ModelSession;

/**
 * A model started by the fallback chain (internal: {@link RunningModel} holds what it needs).
 *
 * @param session  the running session
 * @param attempts     every backend considered, in try order, the last one being the one that started
 * @param capabilities what the backend that started it honours ({@link org.snowcrash.api.LlmBackend#capabilities()})
 */
record Launch(ModelSession session, List<Attempt> attempts, Set<Capability> capabilities) {
    public Launch {
        attempts = List.copyOf(attempts);
        capabilities = Set.copyOf(capabilities);
    }
}
