package org.snowcrash.backend.remote;

import java.time.Duration;

/** Durations written for people: {@code 850 ms}, {@code 12 s}, {@code 3 min}. */
final class Durations {

    private Durations() {
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 120_000) {
            return (ms + 500) / 1000 + " s";
        }
        return (ms + 30_000) / 60_000 + " min";
    }
}
