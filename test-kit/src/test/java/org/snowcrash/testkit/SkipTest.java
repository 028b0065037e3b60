package org.snowcrash.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

/** A missing requirement is a loud skip, or a failure where CI demands everything (whichever this run is). */
class SkipTest {

    private static final boolean REQUIRED = "true".equalsIgnoreCase(System.getenv(Skip.REQUIRE));

    @Test
    void nothingMissingRuns() {
        assertFalse(Skip.evaluate("no nginx", "", "t").isDisabled());
        Skip.unless("no nginx", ""); // returns: the test goes on
    }

    @Test
    void somethingMissingSkipsWithTheReasonOrFailsUnderTheRequirement() {
        if (REQUIRED) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Skip.evaluate("no nginx", "no nginx binary on PATH", "t"));
            assertEquals(Skip.REQUIRE + "=true but no nginx binary on PATH", e.getMessage());
        } else {
            ConditionEvaluationResult r = Skip.evaluate("no nginx", "no nginx binary on PATH", "t");
            assertTrue(r.isDisabled());
            assertEquals("SKIPPED (no nginx): no nginx binary on PATH — set " + Skip.REQUIRE
                    + "=true to make this a failure", r.getReason().orElseThrow());
        }
    }
}
