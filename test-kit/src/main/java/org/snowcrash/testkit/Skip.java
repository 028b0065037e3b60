package org.snowcrash.testkit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

/**
 * How a test that needs something of the machine (a Docker engine and the test image, nginx,
 * network namespaces) behaves without it: skipped loudly, on stderr and in the report, unless
 * {@value #REQUIRE}{@code =true} (CI sets it in {@code .ci/run}), which makes that a failure, so
 * CI never passes by skipping. JUnit is a provided dependency of the test kit: call this from
 * test trees only.
 */
public final class Skip {

    /** The variable that turns a missing requirement into a failure. */
    public static final String REQUIRE = "SNOWCRASH_REQUIRE_DOCKER";

    private Skip() {
    }

    /**
     * Returns when {@code problem} is empty; otherwise fails when {@value #REQUIRE}{@code =true},
     * else aborts the calling test (an assumption) with a loud reason.
     *
     * @param what    what is missing, for the reason ("no nginx", "no Docker")
     * @param problem why it cannot run here, or empty
     */
    public static void unless(String what, String problem) {
        ConditionEvaluationResult r = evaluate(what, problem, "");
        if (r.isDisabled()) {
            Assumptions.abort(r.getReason().orElse(what));
        }
    }

    /**
     * The same as an {@code ExecutionCondition}'s answer: enabled when {@code problem} is empty,
     * an {@link IllegalStateException} under {@value #REQUIRE}{@code =true}, disabled (and printed)
     * otherwise.
     *
     * @param test the test's display name, for the printed line (may be empty)
     */
    public static ConditionEvaluationResult evaluate(String what, String problem, String test) {
        if (problem.isEmpty()) {
            return ConditionEvaluationResult.enabled(what + ": nothing missing");
        }
        if ("true".equalsIgnoreCase(System.getenv(REQUIRE))) {
            throw new IllegalStateException(REQUIRE + "=true but " + problem);
        }
        String reason = "SKIPPED (" + what + "): " + problem + " — set " + REQUIRE + "=true to make this a failure";
        System.err.println("!!! " + (test.isEmpty() ? "" : test + ": ") + reason);
        return ConditionEvaluationResult.disabled(reason);
    }
}
