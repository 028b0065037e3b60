package org.snowcrash.testkit.fake;

import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.StartFailure;

/**
 * Failures a third party defines in its own terms, outside the SPI's core cases, for the tests
 * that show such failures reach callers, the fallback chain, the server and the command in their
 * own words and with their stable code.
 */
public final class OwnFailures {

    private OwnFailures() {
    }

    /** A gateway backend's own request failure. */
    public record QuotaSpent(String account) implements ChatFailure.Specific {
        @Override
        public String code() {
            return "quota_spent";
        }

        @Override
        public String describe() {
            return "account " + account + " has spent its quota for today";
        }
    }

    /** The start failures of a cluster scheduler backend. */
    public sealed interface ClusterFailure extends StartFailure.BackendSpecific {

        /** The cluster queued the model: worth trying another backend now. */
        record QueueFull(String cluster, int position) implements ClusterFailure {
            @Override
            public String code() {
                return "cluster_queue_full";
            }

            @Override
            public String describe() {
                return "cluster " + cluster + " queued the model at place " + position;
            }
        }

        /** The model may not run anywhere: no other backend should try. */
        record LicenceMissing(String model) implements ClusterFailure {
            @Override
            public String code() {
                return "licence_missing";
            }

            @Override
            public String describe() {
                return "no licence to run " + model + "; ask your administrator for one";
            }

            @Override
            public boolean isUserError() {
                return true;
            }
        }
    }
}
