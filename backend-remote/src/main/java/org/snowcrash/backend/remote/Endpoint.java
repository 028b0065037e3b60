package org.snowcrash.backend.remote;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * One configured server, as this process knows it: its base URL, its {@link CircuitBreaker} and
 * the number of requests it has in flight. One instance per URL (and cool-down) per backend
 * instance, shared by every session of that backend, so what one model learns about a server's
 * health every other model using it knows at once. Thread-safe.
 */
final class Endpoint {

    private final String url;
    private final CircuitBreaker breaker;
    private final AtomicInteger inFlight = new AtomicInteger();

    Endpoint(String url, Duration cooldown, LongSupplier clock) {
        this.url = Objects.requireNonNull(url);
        this.breaker = new CircuitBreaker(cooldown, clock);
    }

    /** The base URL, like the OpenAI SDKs' {@code base_url} ({@code http://gpu1:8080/v1}). */
    String url() {
        return url;
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    /** Requests (and checks) running on it now, from every session of this backend. */
    int inFlight() {
        return inFlight.get();
    }

    /** Takes a permit and counts the exchange as in flight until the lease is closed; empty while cooling down. */
    java.util.Optional<Lease> lease() {
        return breaker.tryAcquire().map(p -> {
            inFlight.incrementAndGet();
            return new Lease(this, p);
        });
    }

    /** A short account of its health for people: {@code "healthy"}, {@code "cooling down for 12 s more after: ..."}. */
    String describeHealth() {
        CircuitBreaker.Snapshot s = breaker.snapshot();
        return switch (s.state()) {
            case CLOSED -> "healthy";
            case HALF_OPEN -> "being re-tested after: " + s.lastFailure();
            case OPEN -> s.coolingFor().isZero() ? "cooled down, to be re-tested, after: " + s.lastFailure()
                    : "cooling down for " + Durations.human(s.coolingFor()) + " more after: " + s.lastFailure();
        };
    }

    @Override
    public String toString() {
        return url;
    }

    /**
     * One exchange with the endpoint: a breaker permit plus its place in the in-flight count.
     * Exactly one verdict counts; {@link #close()} ends the in-flight count (idempotent).
     */
    static final class Lease implements AutoCloseable {
        private final Endpoint endpoint;
        private final CircuitBreaker.Permit permit;
        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        private Lease(Endpoint endpoint, CircuitBreaker.Permit permit) {
            this.endpoint = endpoint;
            this.permit = permit;
        }

        Endpoint endpoint() {
            return endpoint;
        }

        boolean isProbe() {
            return permit.isProbe();
        }

        void succeeded() {
            endpoint.breaker.succeeded(permit);
        }

        void failed(String why) {
            endpoint.breaker.failed(permit, why);
        }

        void released() {
            endpoint.breaker.released(permit);
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                // A lease closed without a verdict (an unexpected exception) must not leave a probe out forever.
                endpoint.breaker.released(permit);
                endpoint.inFlight.decrementAndGet();
            }
        }
    }
}
