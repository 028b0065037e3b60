package org.snowcrash.agent;

import java.util.List;

import org.snowcrash.api.ModelSession;

/**
 * A model started by the fallback chain (internal: {@link RunningModel} holds what it needs).
 *
 * @param session  the running session
 * @param attempts every backend considered, in try order, the last one being the one that started
 */
record Launch(ModelSession session, List<Attempt> attempts) {
    public Launch {
        attempts = List.copyOf(attempts);
    }
}
