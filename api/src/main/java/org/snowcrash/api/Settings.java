package org.snowcrash.api;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A read-only view of the merged configuration: string keys to string values, each value knowing
 * which source it came from so that errors can name it.
 *
 * <p>The registry module builds the real one from every source in the documented precedence;
 * {@link #of(Map)} builds one from a plain map for tests. Typed reading with collected errors is
 * done through {@link #reader()}. Implementations are immutable and thread-safe.
 */
public interface Settings {

    /** The raw value of a key, if any source set it. */
    Optional<String> get(String key);

    /** A description of the source of a key's value ({@code "file ./snowcrash.properties"}), or {@code "default"}. */
    String sourceOf(String key);

    /** Every key that some source set. */
    Set<String> keys();

    /** A reader that converts values and collects every problem, for {@link SettingsReader#throwIfProblems()}. */
    default SettingsReader reader() {
        return new SettingsReader(this);
    }

    /** Settings from a plain map; every value's source is {@code sourceName}. */
    static Settings of(Map<String, String> values, String sourceName) {
        Map<String, String> copy = new TreeMap<>(values);
        return new Settings() {
            @Override
            public Optional<String> get(String key) {
                return Optional.ofNullable(copy.get(key));
            }

            @Override
            public String sourceOf(String key) {
                return copy.containsKey(key) ? sourceName : "default";
            }

            @Override
            public Set<String> keys() {
                return copy.keySet();
            }

            @Override
            public String toString() {
                return "Settings" + copy;
            }
        };
    }

    /** Settings from a plain map, with the source called {@code "map"}. */
    static Settings of(Map<String, String> values) {
        return of(values, "map");
    }

    /** Settings with nothing set. */
    static Settings empty() {
        return of(Map.of());
    }
}
