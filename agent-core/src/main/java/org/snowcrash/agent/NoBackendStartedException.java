package org.snowcrash.agent;

import java.util.List;

import org.snowcrash.api.SnowcrashException;
import org.snowcrash.registry.BrokenPlugin;

/**
 * No backend could start the model. The message lists every backend in try order with its
 * outcome and cause (not "see logs"), then every plugin that failed to load; each failure's
 * exception is attached as a suppressed exception.
 */
public final class NoBackendStartedException extends SnowcrashException {

    private static final long serialVersionUID = 1L;

    private final transient List<Attempt> attempts;

    public NoBackendStartedException(String modelId, List<Attempt> attempts, List<BrokenPlugin> broken) {
        super(message(modelId, attempts, broken));
        this.attempts = List.copyOf(attempts);
        for (Attempt a : attempts) {
            if (a.outcome() instanceof Attempt.Failed failed && failed.error() != null) {
                addSuppressed(failed.error());
            }
        }
        broken.forEach(b -> addSuppressed(b.cause()));
    }

    /** Every attempt in try order. */
    public List<Attempt> attempts() {
        return attempts;
    }

    /** Always {@link Kind#NO_BACKEND}. */
    @Override
    public Kind kind() {
        return Kind.NO_BACKEND;
    }

    private static String message(String modelId, List<Attempt> attempts, List<BrokenPlugin> broken) {
        StringBuilder b = new StringBuilder("no backend could start model '").append(modelId).append("'");
        if (attempts.isEmpty()) {
            b.append(": no backend is on the classpath. Add a backend jar (snowcrash-backend-docker or "
                    + "snowcrash-backend-llamacpp) to the lib/ folder");
        } else {
            b.append("; tried in order:");
            int i = 1;
            for (Attempt a : attempts) {
                b.append("\n  ").append(i++).append(". ").append(a.describe());
            }
        }
        if (!broken.isEmpty()) {
            b.append("\nplugins that failed to load:");
            broken.forEach(p -> b.append("\n  - ").append(p.describe()));
        }
        return b.toString();
    }
}
