package org.snowcrash.agent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that moves only when a test tells it to: keep-alive and fail-back tests run on it, not on the machine's time. */
public final class ManualClock extends Clock {
    private volatile Instant now = Instant.parse("2030-01-01T00:00:00Z");

    /** Moves the time on by {@code d}. */
    public void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
