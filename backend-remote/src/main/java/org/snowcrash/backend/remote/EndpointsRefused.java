package org.snowcrash.backend.remote;

import java.util.List;
import java.util.Objects;

import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.StartFailure;

/**
 * Why the remote backend could not start a model, in its own terms: the servers it reaches but
 * does not run (remote endpoints) could not serve the model. One refusal per endpoint, each naming
 * the endpoint and what it answered. Carried by a {@link BackendStartException} as a
 * {@link StartFailure.BackendSpecific} failure. Not the user's error in the
 * {@link StartFailure#isUserError()} sense: the next backend may well serve the model.
 *
 * @param refusals one per configured endpoint, in configuration order; never empty
 */
public record EndpointsRefused(List<Refusal> refusals) implements StartFailure.BackendSpecific {

    /** Why one endpoint could not serve the model. */
    public enum Reason {
        /** Nothing answered: connection refused, reset, unreachable or timed out. */
        UNREACHABLE,
        /** It failed recently and is left alone until its cool-down ends. */
        COOLING_DOWN,
        /** The TLS handshake failed (an unknown certificate authority, a wrong host name). */
        TLS,
        /** It refused the API key (401 or 403). */
        UNAUTHORIZED,
        /** It answers, but does not serve this model. */
        MODEL_NOT_SERVED,
        /** It answered something else: an error status, or not the OpenAI API. */
        BAD_ANSWER
    }

    /**
     * One endpoint and its answer.
     *
     * @param endpoint the endpoint's base URL
     * @param reason   the kind of refusal
     * @param answer   what it answered, for people ({@code "401 Invalid API Key"})
     */
    public record Refusal(String endpoint, Reason reason, String answer) {
        public Refusal {
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(answer, "answer");
        }
    }

    public EndpointsRefused {
        refusals = List.copyOf(refusals);
        if (refusals.isEmpty()) {
            throw new IllegalArgumentException("at least one endpoint must have refused");
        }
    }

    /** {@code endpoints_refused}. */
    @Override
    public String code() {
        return "endpoints_refused";
    }

    @Override
    public String describe() {
        StringBuilder b = new StringBuilder(refusals.size() == 1 ? "the endpoint cannot serve the model: "
                : "no endpoint can serve the model: ");
        for (int i = 0; i < refusals.size(); i++) {
            Refusal r = refusals.get(i);
            b.append(i == 0 ? "" : "; ").append(r.endpoint()).append(": ").append(r.answer());
        }
        return b.toString();
    }
}
