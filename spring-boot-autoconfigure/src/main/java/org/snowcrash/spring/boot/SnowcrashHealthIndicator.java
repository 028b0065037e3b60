package org.snowcrash.spring.boot;

import java.util.List;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Actuator's {@code snowcrash} health component: which backend serves each model, and
 * <ul>
 *   <li>{@code UP} when served by the first backend that could serve it;</li>
 *   <li>{@code DEGRADED} when served after a fallback (a preferred backend was unavailable or
 *       failed), or when its backend died and the next request restarts it; Boot's default status
 *       order does not know this status, so the overall status stays {@code UP}: add
 *       {@code degraded} to {@code management.endpoint.health.status.order} to let it show there;</li>
 *   <li>{@code DOWN} when no backend could start it;</li>
 *   <li>{@code UNKNOWN} before a lazy start.</li>
 * </ul>
 * The component's status is the worst of its models'. Never blocks on a start.
 */
public final class SnowcrashHealthIndicator implements HealthIndicator {

    /** A model served after a fallback, or waiting for a restart. */
    public static final Status DEGRADED = new Status("DEGRADED", "served after a fallback, or its backend died");

    private final SnowcrashRuntime runtime;

    /** The indicator of this runtime's models. */
    public SnowcrashHealthIndicator(SnowcrashRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public Health health() {
        List<SnowcrashRuntime.Report> reports = runtime.health();
        SnowcrashRuntime.Level worst = SnowcrashRuntime.Level.NOT_STARTED;
        for (SnowcrashRuntime.Report r : reports) {
            worst = worse(worst, r.level());
        }
        Health.Builder b = Health.status(status(worst));
        for (SnowcrashRuntime.Report r : reports) {
            java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
            d.put("status", status(r.level()).getCode());
            d.putAll(r.details());
            b.withDetail(r.model(), d);
        }
        return b.build();
    }

    private static SnowcrashRuntime.Level worse(SnowcrashRuntime.Level a, SnowcrashRuntime.Level b) {
        return rank(b) > rank(a) ? b : a;
    }

    private static int rank(SnowcrashRuntime.Level l) {
        return switch (l) {
            case NOT_STARTED -> 0;
            case UP -> 1;
            case DEGRADED -> 2;
            case DOWN -> 3;
        };
    }

    private static Status status(SnowcrashRuntime.Level l) {
        return switch (l) {
            case UP -> Status.UP;
            case DEGRADED -> DEGRADED;
            case DOWN -> Status.DOWN;
            case NOT_STARTED -> Status.UNKNOWN;
        };
    }
}
