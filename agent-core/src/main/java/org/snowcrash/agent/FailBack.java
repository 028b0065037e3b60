package org.snowcrash.agent;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import org.snowcrash.api.Settings;
import org.snowcrash.api.SettingsReader;

/**
 * Whether, and how often, a {@link RunningModel} served by a lower backend than it would prefer
 * tries the preferred ones again: the remote server came back after a Wi-Fi drop, the Docker
 * engine is up again. Set with {@link RunningModel.Builder#failBack} or the configuration key
 * {@code snowcrash.agent.fail-back} ({@code off}, the default, or a duration such as {@code 2m}).
 *
 * <p>A request that finds the model served by a backend lower in the try order than the first
 * one, at least {@link #interval()} after that session started or after the last try, starts the
 * preferred backends again on a background thread, quietly: the request itself goes on where the
 * model is served now, and nothing is published unless the start succeeds. When it does, the
 * next requests go to the preferred backend (listeners get its {@code Starting} ... {@code ServedBy})
 * and the old session is closed as soon as its requests in flight have ended. So no turn waits
 * for a start, and an idle model is never probed. Only requests start a try, never the calls that
 * count prompt tokens, so an agent's turn is planned and answered on the same backend.
 *
 * <p>Models of a {@link org.snowcrash.agent.pool.ModelPool} never fail back: a second copy of a
 * model, started outside the pool's memory reservation, could exceed its budget.
 *
 * @param interval how long after a start, or after a try that did not succeed, to try again
 */
public record FailBack(Duration interval) {

    /** Fail-back switched off: a model stays where recovery put it until it dies or closes. */
    public static final FailBack OFF = new FailBack(Duration.ZERO);

    /** @throws IllegalArgumentException when {@code interval} is null or negative */
    public FailBack {
        if (interval == null || interval.isNegative()) {
            throw new IllegalArgumentException("fail-back interval must be zero (off) or positive: " + interval);
        }
    }

    /** Tries the preferred backends again every {@code interval}. */
    public static FailBack every(Duration interval) {
        if (interval.isZero()) {
            throw new IllegalArgumentException("fail-back interval must be positive (use FailBack.OFF to switch it off)");
        }
        return new FailBack(interval);
    }

    /** Whether it is switched on. */
    public boolean enabled() {
        return !interval.isZero();
    }

    /** The configured policy: {@code snowcrash.agent.fail-back}, {@code off} by default. */
    static FailBack configured(Settings settings) {
        String key = "snowcrash.agent.fail-back";
        Optional<String> raw = settings.get(key);
        if (raw.isEmpty() || raw.get().trim().toLowerCase(Locale.ROOT).equals("off")) {
            return OFF;
        }
        Optional<Duration> d = SettingsReader.parseDuration(raw.get()).filter(x -> !x.isZero() && !x.isNegative());
        if (d.isPresent()) {
            return every(d.get());
        }
        SettingsReader reader = settings.reader();
        reader.problem(key, raw.get(), "must be off or a positive duration such as 30s, 2m or PT1M");
        reader.throwIfProblems();
        return OFF;
    }
}
