package org.snowcrash.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.Availability;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.LlmBackend;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.api.StartFailure;
import org.snowcrash.registry.BackendRegistry;
import org.snowcrash.testkit.fake.FakeBackend;
import org.snowcrash.testkit.fake.FakeBackend.Mode;
import org.snowcrash.testkit.fake.OwnFailures.ClusterFailure;

/**
 * A third-party backend's own start failures ({@link StartFailure.BackendSpecific}, declared here,
 * outside the SPI) go through the fallback chain as the core ones do: their text lands in the
 * attempts and the "no backend" report, the failure itself in the {@code Failed} event, and the
 * backend's user-error verdict decides whether the chain tries on.
 */
class BackendSpecificFailureTest {

    @TempDir
    Path dir;

    /** A third-party backend whose start always fails with what {@code failure} gives. */
    private record ClusterBackend(Supplier<StartFailure> failure) implements LlmBackend {
        @Override
        public String id() {
            return "cluster";
        }

        @Override
        public int defaultPriority() {
            return 9;
        }

        @Override
        public Availability availability(BackendContext context) {
            return Availability.available();
        }

        @Override
        public ModelSession start(ModelSpec spec, BackendContext context) throws BackendStartException {
            throw new BackendStartException(id(), spec.id(), failure.get());
        }
    }

    private Launch start(LlmBackend first, FakeBackend fallback, List<LifecycleEvent> events) throws Exception {
        return FallbackChain.start(BackendRegistry.order(List.of(first, fallback), List.of(), Settings.empty()),
                FakeBackend.spec(dir, 512), Settings.empty(), events::add);
    }

    @Test
    void aBackendsOwnFailureIsReportedInItsWordsAndTheChainMovesOn() throws Exception {
        ClusterFailure.QueueFull queued = new ClusterFailure.QueueFull("hpc-2", 7);
        FakeBackend local = FakeBackend.of("local", 1, Mode.WORKS);
        List<LifecycleEvent> events = new ArrayList<>();
        Launch launch = start(new ClusterBackend(() -> queued), local, events);

        assertEquals("local", launch.session().info().backendId());
        assertEquals(new Attempt.Failed("cluster hpc-2 queued the model at place 7", null).describe(),
                launch.attempts().get(0).outcome().describe());
        LifecycleEvent.Failed failed = events.stream().filter(LifecycleEvent.Failed.class::isInstance)
                .map(LifecycleEvent.Failed.class::cast).findFirst().orElseThrow();
        assertSame(queued, failed.failure(), "viewers that know the backend get its typed failure");
        assertTrue(events.contains(new LifecycleEvent.Fallback("cluster", "cluster hpc-2 queued the model at place 7")),
                events.toString());
    }

    @Test
    void aBackendsOwnUserErrorStopsTheChainAndTheReportSaysWhy() {
        FakeBackend local = FakeBackend.of("local", 1, Mode.WORKS);
        NoBackendStartedException e = assertThrows(NoBackendStartedException.class,
                () -> start(new ClusterBackend(() -> new ClusterFailure.LicenceMissing("m")), local, new ArrayList<>()));
        assertEquals(0, local.starts(), "a user error is not retried elsewhere");
        assertTrue(e.getMessage().contains("1. cluster priority=9: failed: no licence to run m; ask your administrator for one"),
                e.getMessage());
        BackendStartException cause = assertInstanceOf(BackendStartException.class, e.getSuppressed()[0]);
        assertInstanceOf(ClusterFailure.LicenceMissing.class, cause.failure());
    }

    @Test
    void aFailureWithAnUnusableCodeIsReportedAsTheBackendsBugNamingTheClass() throws Exception {
        StartFailure.BackendSpecific badCode = new StartFailure.BackendSpecific() {
            @Override
            public String code() {
                return "Queue Full";
            }

            @Override
            public String describe() {
                return "queued";
            }
        };
        FakeBackend local = FakeBackend.of("local", 1, Mode.WORKS);
        Launch launch = start(new ClusterBackend(() -> badCode), local, new ArrayList<>());
        assertEquals("local", launch.session().info().backendId());
        String why = launch.attempts().get(0).outcome().describe();
        assertTrue(why.startsWith("failed: IllegalArgumentException: the code() of failure " + badCode.getClass().getName()
                + " must be lower snake case, like port_in_use, but is 'Queue Full'"), why);
    }
}
