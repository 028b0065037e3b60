package org.snowcrash.agent;

import java.time.Duration;

/**
 * One backend considered by the fallback chain.
 *
 * @param backendId the backend's id
 * @param priority  its effective priority
 * @param outcome   what happened
 * @param took      time spent on it (availability check plus start)
 */
public record Attempt(String backendId, int priority, Outcome outcome, Duration took) {

    /** What happened to one backend in the chain. */
    public sealed interface Outcome {
        /** One line for people. */
        String describe();
    }

    /** It started the model. */
    public record Started(String detail) implements Outcome {
        @Override
        public String describe() {
            return "started" + (detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    /** It was switched off in configuration. */
    public record Disabled(String key) implements Outcome {
        @Override
        public String describe() {
            return "disabled (" + key + "=false)";
        }
    }

    /**
     * It was not tried: it needs configuration it was not given ({@code howTo} says what). Not a
     * fault, so no fallback is reported for it.
     */
    public record NotConfigured(String howTo) implements Outcome {
        @Override
        public String describe() {
            return "not configured (" + howTo + ")";
        }
    }

    /** It said it cannot run here. */
    public record Unavailable(String reason) implements Outcome {
        @Override
        public String describe() {
            return "unavailable: " + reason;
        }
    }

    /** It was not tried: it cannot honour what the model's requests need ({@code missing}). */
    public record Incapable(java.util.Set<org.snowcrash.api.Capability> missing) implements Outcome {
        public Incapable {
            missing = java.util.Set.copyOf(missing);
        }

        @Override
        public String describe() {
            return "cannot honour " + missing.stream().map(Enum::name).sorted().toList() + " that the requests need";
        }
    }

    /** It was tried and failed; {@code error} is what it threw. */
    public record Failed(String reason, Throwable error) implements Outcome {
        @Override
        public String describe() {
            return "failed: " + reason;
        }
    }

    /** One line: {@code docker priority=20: unavailable: no Docker engine (1 ms)}. */
    public String describe() {
        return backendId + " priority=" + priority + ": " + outcome.describe() + " (" + took.toMillis() + " ms)";
    }
}
