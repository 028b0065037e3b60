package org.snowcrash.agent;

import java.util.List;

import org.snowcrash.api.ModelSession;

/**
 * A model started by the fallback chain.
 *
 * @param session  the running session
 * @param attempts every backend considered, in try order, the last one being the one that started
 */
public record Launch(ModelSession session, List<Attempt> attempts) {
    public Launch {
        attempts = List.copyOf(attempts);
    }
}
