package org.snowcrash.api;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads typed values from {@link Settings} and collects every problem instead of failing on the
 * first, so that one {@link #throwIfProblems()} reports them all. A bad value reads as the
 * default, so reading can go on. Not thread-safe: use one reader per validation pass.
 */
public final class SettingsReader {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b?)", Pattern.CASE_INSENSITIVE);
    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);

    private final Settings settings;
    private final List<ConfigurationException.Problem> problems = new ArrayList<>();

    SettingsReader(Settings settings) {
        this.settings = settings;
    }

    /** A string value, or the default. */
    public String string(String key, String defaultValue) {
        return settings.get(key).map(String::trim).orElse(defaultValue);
    }

    /** An integer value within {@code [min, max]}, or the default. */
    public int integer(String key, int defaultValue, int min, int max) {
        Optional<String> raw = settings.get(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get().trim());
            if (value < min || value > max) {
                problem(key, raw.get(), "must be between " + min + " and " + max);
                return defaultValue;
            }
            return value;
        } catch (NumberFormatException e) {
            problem(key, raw.get(), "must be a whole number");
            return defaultValue;
        }
    }

    /** A boolean value ({@code true}/{@code false}, any case), or the default. */
    public boolean bool(String key, boolean defaultValue) {
        Optional<String> raw = settings.get(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        String v = raw.get().trim().toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        problem(key, raw.get(), "must be true or false");
        return defaultValue;
    }

    /**
     * A duration: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code PT30S}).
     * Must be positive.
     */
    public Duration duration(String key, Duration defaultValue) {
        Optional<String> raw = settings.get(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        Optional<Duration> parsed = parseDuration(raw.get());
        if (parsed.isEmpty() || parsed.get().isZero() || parsed.get().isNegative()) {
            problem(key, raw.get(), "must be a positive duration such as 500ms, 30s, 2m or PT1M");
            return defaultValue;
        }
        return parsed.get();
    }

    /** A byte size: {@code 2g}, {@code 512m}, {@code 2GiB}, {@code 1048576}. Must be positive. */
    public long bytes(String key, long defaultValue) {
        Optional<String> raw = settings.get(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        Optional<Long> parsed = parseBytes(raw.get());
        if (parsed.isEmpty() || parsed.get() <= 0) {
            problem(key, raw.get(), "must be a positive size such as 512m, 2g or 2GiB");
            return defaultValue;
        }
        return parsed.get();
    }

    /** One of the allowed lower-case words, or the default. */
    public String oneOf(String key, String defaultValue, String... allowed) {
        Optional<String> raw = settings.get(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        String v = raw.get().trim().toLowerCase(Locale.ROOT);
        if (Arrays.asList(allowed).contains(v)) {
            return v;
        }
        problem(key, raw.get(), "must be one of " + String.join(", ", allowed));
        return defaultValue;
    }

    /**
     * Reads one of an enum's constants, written in lower case with {@code -} for {@code _}
     * ({@code PullPolicy.MISSING} is {@code missing}); anything else is a problem naming the choices.
     */
    public <E extends Enum<E>> E choice(String key, E defaultValue) {
        Optional<String> raw = settings.get(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        String v = raw.get().trim().toLowerCase(Locale.ROOT);
        List<String> names = new ArrayList<>();
        for (E e : defaultValue.getDeclaringClass().getEnumConstants()) {
            String name = e.name().toLowerCase(Locale.ROOT).replace('_', '-');
            if (name.equals(v)) {
                return e;
            }
            names.add(name);
        }
        problem(key, raw.get(), "must be one of " + String.join(", ", names));
        return defaultValue;
    }

    /** A whitespace-separated list (quotes are not interpreted), or an empty list. */
    public List<String> words(String key) {
        return settings.get(key)
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(s -> List.of(s.split("\\s+")))
                .orElse(List.of());
    }

    /**
     * Reports every set key that starts with {@code prefix} but is not one of {@code known}
     * (full keys), suggesting the closest known key: a typo must not be silently ignored.
     */
    public void rejectUnknown(String prefix, java.util.Collection<String> known) {
        for (String key : settings.keys()) {
            if (key.startsWith(prefix) && !known.contains(key)) {
                String best = null;
                int bestDistance = Integer.MAX_VALUE;
                for (String k : known) {
                    int d = distance(key, k);
                    if (d < bestDistance) {
                        bestDistance = d;
                        best = k;
                    }
                }
                problem(key, settings.get(key).orElse(""), "unknown key"
                        + (best != null && bestDistance <= 3 ? "; did you mean " + best + "?" : "; known keys: " + String.join(", ", known)));
            }
        }
    }

    /** Levenshtein distance, for suggestions. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Records a problem found by the caller's own checks. */
    public void problem(String key, String value, String message) {
        problems.add(new ConfigurationException.Problem(key, value, settings.sourceOf(key), message));
    }

    /** The problems collected so far. */
    public List<ConfigurationException.Problem> problems() {
        return List.copyOf(problems);
    }

    /** Throws one {@link ConfigurationException} listing every problem, if there is any. */
    public void throwIfProblems() {
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
    }

    /** Parses a duration in the forms {@link #duration} accepts. */
    public static Optional<Duration> parseDuration(String text) {
        String t = text.trim();
        Matcher m = SIMPLE_DURATION.matcher(t);
        if (m.matches()) {
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            return Optional.of(switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
        }
        try {
            return Optional.of(Duration.parse(t));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Parses a byte size in the forms {@link #bytes} accepts. */
    public static Optional<Long> parseBytes(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            long n = Long.parseLong(m.group(1));
            int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "k" -> 10;
                case "m" -> 20;
                case "g" -> 30;
                case "t" -> 40;
                default -> 0;
            };
            if (n > (Long.MAX_VALUE >> shift)) {
                return Optional.empty();
            }
            return Optional.of(n << shift);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
