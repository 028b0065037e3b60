package org.snowcrash.backend.remote;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Picks the endpoint for the next exchange: among those that may take one now (not cooling down,
 * not tried already for this request, not refused for this model), the one with the fewest
 * exchanges in flight, ties going to the one configured first. A cooled-down endpoint competes like
 * a healthy one, so the next request that lands on it is its half-open re-test. Stateless;
 * thread-safe; in-flight counts are read once per pick, so concurrent picks may tie, which is fine.
 */
final class Routing {

    private Routing() {
    }

    /**
     * Leases the best endpoint of {@code endpoints} (in configuration order) for which
     * {@code eligible} holds and that is not in {@code tried}; empty when none can take it now.
     */
    static Optional<Endpoint.Lease> lease(List<Endpoint> endpoints, Set<Endpoint> tried, Predicate<Endpoint> eligible) {
        record Candidate(Endpoint endpoint, int inFlight) {
        }
        List<Candidate> order = new ArrayList<>();
        for (Endpoint e : endpoints) {
            if (!tried.contains(e) && eligible.test(e) && e.breaker().snapshot().usable()) {
                // Counted once: other threads change it, and a sort must see fixed keys.
                order.add(new Candidate(e, e.inFlight()));
            }
        }
        // A stable sort keeps configuration order among equal counts.
        order.sort(Comparator.comparingInt(Candidate::inFlight));
        for (Candidate c : order) {
            Optional<Endpoint.Lease> lease = c.endpoint().lease();
            if (lease.isPresent()) {
                return lease;
            }
        }
        return Optional.empty();
    }
}
