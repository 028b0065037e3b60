package org.snowcrash.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A third-party backend says what went wrong in its own terms: its failure kinds, declared outside
 * this package, travel in the SPI's exceptions with their text, user-error verdict and code, and a
 * code that programs could not rely on is refused where the failure is raised.
 */
class SpecificFailureTest {

    /** A backend's own start failure, as a third party would declare it. */
    record QueueFull(String cluster, int position) implements StartFailure.BackendSpecific {
        @Override
        public String code() {
            return "cluster_queue_full";
        }

        @Override
        public String describe() {
            return "cluster " + cluster + " queued the model at place " + position;
        }
    }

    /** A backend's own start failure that is the user's to fix. */
    record LicenceMissing(String model) implements StartFailure.BackendSpecific {
        @Override
        public String code() {
            return "licence_missing";
        }

        @Override
        public String describe() {
            return "no licence for " + model;
        }

        @Override
        public boolean isUserError() {
            return true;
        }
    }

    /** A request failure in a component's own terms, with a code given at construction. */
    record QuotaSpent(String code, String account) implements ChatFailure.Specific {
        @Override
        public String describe() {
            return "account " + account + " has spent its quota for today";
        }
    }

    @Test
    void aBackendsOwnStartFailureTravelsWithItsTextAndCode() {
        QueueFull f = new QueueFull("hpc-2", 7);
        BackendStartException e = new BackendStartException("cluster", "m", f);
        assertEquals("cluster: cannot start model 'm': cluster hpc-2 queued the model at place 7", e.getMessage());
        assertSame(f, e.failure());
        assertTrue(e.failure() instanceof StartFailure.BackendSpecific s && s.code().equals("cluster_queue_full"));
        assertFalse(e.failure().isUserError(), "not the user's error unless the backend says so");
        assertTrue(new BackendStartException("cluster", "m", new LicenceMissing("m")).failure().isUserError());
    }

    @Test
    void aComponentsOwnChatFailureTravelsWithItsTextAndCode() {
        ChatException e = new ChatException("gateway", "model m", new QuotaSpent("quota_spent", "acme"));
        assertEquals("gateway (model m): account acme has spent its quota for today", e.getMessage());
        assertEquals("quota_spent", ((ChatFailure.Specific) e.failure()).code());
        assertEquals(SnowcrashException.Kind.REQUEST_FAILED, e.kind());
    }

    @Test
    void aCodeThatIsNotLowerSnakeCaseIsRefusedNamingTheFailure() {
        for (String bad : new String[] {"", "Quota", "quota-spent", "quota__spent", "_quota", "quota_", "2fast", "quota spent"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ChatException("gateway", "model m", new QuotaSpent(bad, "acme")), bad);
            assertEquals("the code() of failure " + QuotaSpent.class.getName() + " must be lower snake case, like "
                    + "port_in_use, but is '" + bad + "'", e.getMessage());
        }
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> new ChatException("gateway", "model m", new QuotaSpent(null, "acme")));
        assertTrue(none.getMessage().endsWith("but is null"), none.getMessage());
        StartFailure.BackendSpecific blank = new StartFailure.BackendSpecific() {
            @Override
            public String code() {
                return " ";
            }

            @Override
            public String describe() {
                return "something";
            }
        };
        assertThrows(IllegalArgumentException.class, () -> new BackendStartException("b", "m", blank));
        new ChatException("gateway", "model m", new QuotaSpent("http2_stream_reset", "acme")); // digits are fine
    }
}
