package org.snowcrash.api;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One or more configuration values are wrong. The message lists every problem at once, each
 * naming the key, the value and the source it came from, so a user fixes them in one go.
 */
public final class ConfigurationException extends SnowcrashException {

    private static final long serialVersionUID = 1L;

    /**
     * One wrong value.
     *
     * @param key     the configuration key
     * @param value   the value as written (may be {@code null} for a missing required key)
     * @param source  where the value came from
     * @param message what is wrong and what is expected
     */
    public record Problem(String key, String value, String source, String message) {
        @Override
        public String toString() {
            return key + (value == null ? "" : "=" + value) + " (from " + source + "): " + message;
        }
    }

    private final transient List<Problem> problems;

    public ConfigurationException(List<Problem> problems) {
        super(render(problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, in the order they were found. */
    public List<Problem> problems() {
        return problems;
    }

    /** Always {@link Kind#BAD_INPUT}. */
    @Override
    public Kind kind() {
        return Kind.BAD_INPUT;
    }

    private static String render(List<Problem> problems) {
        if (problems.size() == 1) {
            return "invalid configuration: " + problems.get(0);
        }
        return "invalid configuration (" + problems.size() + " problems):"
                + problems.stream().map(p -> "\n  - " + p).collect(Collectors.joining());
    }
}
