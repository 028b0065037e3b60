package org.snowcrash.backend.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class RoutingTest {

    private final ManualClock clock = new ManualClock();
    private final Endpoint a = new Endpoint("http://a/v1", Duration.ofSeconds(30), clock);
    private final Endpoint b = new Endpoint("http://b/v1", Duration.ofSeconds(30), clock);
    private final Endpoint c = new Endpoint("http://c/v1", Duration.ofSeconds(30), clock);
    private final List<Endpoint> all = List.of(a, b, c);

    private Endpoint pick(Set<Endpoint> tried) {
        return Routing.lease(all, tried, e -> true).map(Endpoint.Lease::endpoint).orElse(null);
    }

    @Test
    void tiesGoToTheEndpointConfiguredFirst() {
        try (Endpoint.Lease l = Routing.lease(all, Set.of(), e -> true).orElseThrow()) {
            assertEquals(a, l.endpoint());
        }
    }

    @Test
    void theEndpointWithTheFewestInFlightIsChosen() {
        List<Endpoint.Lease> held = new ArrayList<>();
        // Three requests in a row, none finished: each lands where the fewest are running.
        for (int i = 0; i < 3; i++) {
            held.add(Routing.lease(all, Set.of(), e -> true).orElseThrow());
        }
        assertEquals(List.of(a, b, c), held.stream().map(Endpoint.Lease::endpoint).toList());
        held.get(1).close();
        assertEquals(b, pick(Set.of()), "b finished first, so it is the least busy");
    }

    @Test
    void coolingDownTriedOrRefusedEndpointsAreSkipped() {
        try (Endpoint.Lease l = a.lease().orElseThrow()) {
            l.failed("refused");
        }
        assertEquals(b, pick(Set.of()));
        assertEquals(c, pick(Set.of(b)));
        assertEquals(c, Routing.lease(all, Set.of(), e -> e != b).orElseThrow().endpoint());
        assertTrue(Routing.lease(all, Set.of(b, c), e -> true).isEmpty(), "nothing left");
    }

    @Test
    void aCooledDownEndpointCompetesAndItsLeaseIsTheProbe() {
        try (Endpoint.Lease l = a.lease().orElseThrow()) {
            l.failed("refused");
        }
        clock.advance(Duration.ofSeconds(30));
        Endpoint.Lease probe = Routing.lease(all, Set.of(), e -> true).orElseThrow();
        assertEquals(a, probe.endpoint());
        assertTrue(probe.isProbe());
        assertEquals(b, pick(Set.of()), "while its probe is out, the others take the traffic");
        probe.succeeded();
        probe.close();
        assertEquals(a, pick(Set.of()), "the probe succeeded: a takes its share again");
    }

    /** Whatever the loads, the pick is an endpoint with the least load among the usable ones. */
    @Property(tries = 200)
    boolean thePickIsAlwaysALeastLoadedUsableEndpoint(@ForAll @Size(min = 1, max = 6) List<@IntRange(min = 0, max = 5) Integer> loads,
                                                     @ForAll @Size(min = 1, max = 6) List<Boolean> cooling) {
        ManualClock clk = new ManualClock();
        List<Endpoint> eps = new ArrayList<>();
        List<Endpoint.Lease> held = new ArrayList<>();
        for (int i = 0; i < loads.size(); i++) {
            Endpoint e = new Endpoint("http://e" + i + "/v1", Duration.ofSeconds(1), clk);
            for (int k = 0; k < loads.get(i); k++) {
                held.add(e.lease().orElseThrow());
            }
            if (cooling.get(i % cooling.size())) {
                e.lease().orElseThrow().failed("down");
            }
            eps.add(e);
        }
        int best = eps.stream().filter(e -> e.breaker().snapshot().usable()).mapToInt(Endpoint::inFlight).min().orElse(-1);
        var pick = Routing.lease(eps, Set.of(), e -> true);
        if (best < 0) {
            return pick.isEmpty();
        }
        // The lease itself counts one more in flight on the chosen endpoint.
        return pick.isPresent() && pick.get().endpoint().inFlight() - 1 == best;
    }
}
