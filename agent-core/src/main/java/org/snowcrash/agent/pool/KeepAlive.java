package org.snowcrash.agent.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.snowcrash.api.SettingsReader;

/**
 * How long a model stays loaded after its last request ends ({@code model.<id>.keep-alive}):
 * a positive duration, zero (unload as soon as no request is in flight) or negative (never
 * unload for being idle; the model may still be evicted to make room within the memory budget).
 * Immutable.
 *
 * @param duration the time; zero and negative carry the meanings above
 */
record KeepAlive(Duration duration) {

    static final KeepAlive DEFAULT = new KeepAlive(Duration.ofMinutes(5));

    KeepAlive {
        Objects.requireNonNull(duration, "duration");
    }

    /** Never unloaded for being idle. */
    boolean never() {
        return duration.isNegative();
    }

    /** Unloaded as soon as its last request in flight ends. */
    boolean afterEachRequest() {
        return duration.isZero();
    }

    /** When a model idle since {@code lastUsed} is to be unloaded; empty when never. */
    Optional<Instant> expiry(Instant lastUsed) {
        if (never()) {
            return Optional.empty();
        }
        try {
            return Optional.of(lastUsed.plus(duration));
        } catch (java.time.DateTimeException | ArithmeticException e) {
            return Optional.empty(); // past the end of time: as good as never
        }
    }

    /**
     * Reads {@code 5m}, {@code 30s}, {@code PT1H}, {@code 0} or {@code 0s}, and negative values
     * ({@code -1}, {@code -1s}, {@code -PT1S}); empty when the text is none of these.
     */
    static Optional<KeepAlive> parse(String text) {
        String t = text.trim();
        boolean negative = t.startsWith("-");
        String body = negative ? t.substring(1).trim() : t;
        if (body.matches("\\d{1,18}")) {
            // A bare number is only meaningful as 0 or as a negative "never" (-1), as in Ollama.
            long n = Long.parseLong(body);
            if (n == 0) {
                return Optional.of(new KeepAlive(Duration.ZERO));
            }
            return negative ? Optional.of(new KeepAlive(Duration.ofSeconds(-1))) : Optional.empty();
        }
        return SettingsReader.parseDuration(body)
                .filter(d -> !d.isNegative())
                .map(d -> new KeepAlive(negative && !d.isZero() ? d.negated() : d));
    }

    /** For people: {@code 5m}, {@code 90s}, {@code 0 (unload after each request)}, {@code never}. */
    String describe() {
        if (never()) {
            return "never";
        }
        if (afterEachRequest()) {
            return "0 (unload after each request)";
        }
        return human(duration);
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
