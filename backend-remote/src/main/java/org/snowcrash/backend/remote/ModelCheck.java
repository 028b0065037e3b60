package org.snowcrash.backend.remote;

import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;

import org.snowcrash.backend.remote.EndpointsRefused.Reason;
import org.snowcrash.backend.remote.EndpointsRefused.Refusal;

/**
 * Reads a {@link ModelsAnswer} two ways: for the endpoint's health (did it answer at all?) and
 * for a model (does it serve it, and if not, what exactly did it say?). Pure; thread-safe.
 */
final class ModelCheck {

    private ModelCheck() {
    }

    /** What an answer says about an endpoint's health, for its circuit breaker. */
    enum Health {
        /** It answered (even with a refusal: a wrong key or a TLS mismatch is not an outage). */
        ANSWERED,
        /** A hard failure: nothing came back, or a 5xx/408/429. */
        HARD_FAILURE
    }

    /** Whether a model check found the model, or why not. */
    sealed interface Outcome {
        /** The endpoint serves the model. */
        record Served(ModelsAnswer.ServedModel model) implements Outcome {
        }

        /** It does not, and this is what it answered. */
        record Refused(Refusal refusal) implements Outcome {
        }
    }

    static Health health(ModelsAnswer answer) {
        if (answer instanceof ModelsAnswer.Status s) {
            return isHardStatus(s.code()) ? Health.HARD_FAILURE : Health.ANSWERED;
        }
        if (answer instanceof ModelsAnswer.Failed f) {
            return f.isTls() ? Health.ANSWERED : Health.HARD_FAILURE;
        }
        return Health.ANSWERED;
    }

    /** 5xx, and the two 4xx that speak of the server's state rather than of the request: 408 and 429. */
    static boolean isHardStatus(int code) {
        return code >= 500 || code == 408 || code == 429;
    }

    /** Whether {@code answer} from {@code url} shows the model named {@code name} (bounded by {@code bound}) served. */
    static Outcome forModel(String url, ModelsAnswer answer, String name, String modelId, Duration bound) {
        if (answer instanceof ModelsAnswer.Listed listed) {
            return listed.find(name).<Outcome>map(Outcome.Served::new).orElseGet(() -> refused(url, Reason.MODEL_NOT_SERVED,
                    "serves " + listed.names() + ", not '" + name + "'" + (name.equals(modelId)
                            ? " (set model." + modelId + ".remote-name to the name it serves it under)" : "")));
        }
        if (answer instanceof ModelsAnswer.Status s) {
            if (s.code() == 401 || s.code() == 403) {
                return refused(url, Reason.UNAUTHORIZED, s.code() + " " + s.message()
                        + " (set " + RemoteSettings.PREFIX + "api-key to a key it accepts)");
            }
            if (s.code() == 404) {
                return refused(url, Reason.BAD_ANSWER, "404 for " + url + "/models: not the base URL of an"
                        + " OpenAI-compatible server (it usually ends in /v1)");
            }
            return refused(url, Reason.BAD_ANSWER, (s.code() == 200 ? "" : "HTTP " + s.code() + ": ") + s.message());
        }
        ModelsAnswer.Failed f = (ModelsAnswer.Failed) answer;
        if (f.isTls()) {
            return refused(url, Reason.TLS, f.describe() + " (is " + RemoteSettings.PREFIX
                    + "ca-file the authority that signed its certificate, and is the host name in it?)");
        }
        boolean timedOut = f.error() instanceof SocketTimeoutException
                || (f.error() instanceof InterruptedIOException && String.valueOf(f.error().getMessage()).contains("timeout"));
        return refused(url, Reason.UNREACHABLE, timedOut ? "no answer within " + Durations.human(bound) : f.describe());
    }

    private static Outcome refused(String url, Reason reason, String answer) {
        return new Outcome.Refused(new Refusal(url, reason, answer));
    }
}
