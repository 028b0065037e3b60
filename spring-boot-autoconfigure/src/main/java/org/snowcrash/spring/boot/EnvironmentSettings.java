package org.snowcrash.spring.boot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.snowcrash.registry.Configuration;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.Environment;

/**
 * Snowcrash's configuration read from Spring's {@link Environment}: every property under
 * {@code snowcrash.} except the starter's own {@code snowcrash.spring.*}, with the prefix mapped
 * to Snowcrash's key names:
 * <ul>
 *   <li>{@code snowcrash.backend.<...>} is {@code backend.<...>},</li>
 *   <li>{@code snowcrash.model.<...>} is {@code model.<...>},</li>
 *   <li>{@code snowcrash.serve.<...>} is {@code serve.<...>},</li>
 *   <li>everything else keeps its name ({@code snowcrash.models.dir}, {@code snowcrash.agent.recovery}).</li>
 * </ul>
 * This is the mapping Snowcrash's own {@code SNOWCRASH_*} environment variables follow, so
 * {@code SNOWCRASH_BACKEND_DOCKER_IMAGE} means the same key to Spring and to Snowcrash.
 * Precedence is Spring's (command line, system properties, environment, profile files,
 * {@code application.yml}, ...); each value's source is its Spring origin
 * ({@code class path resource [application.yml] - 4:11}), so Snowcrash's errors say where the
 * bad value was written. A YAML list becomes Snowcrash's comma-separated value.
 * Snowcrash's own files ({@code snowcrash.properties}) are not read: in a Spring application,
 * configuration is Spring's.
 */
public final class EnvironmentSettings {

    /** Where Snowcrash's keys live in Spring's configuration. */
    public static final String PREFIX = "snowcrash";

    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(PREFIX);
    private static final ConfigurationPropertyName STARTER = ConfigurationPropertyName.of(SnowcrashSpringProperties.PREFIX);
    private static final List<String> OWN_ROOTS = List.of("backend.", "model.", "serve.");

    private EnvironmentSettings() {
    }

    /** The Snowcrash configuration the environment holds now. */
    public static Configuration read(Environment environment) {
        Map<String, String> values = new TreeMap<>();
        Map<String, String> origins = new TreeMap<>();
        Map<String, Map<Integer, String>> lists = new TreeMap<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)) {
                continue;
            }
            // Sources come highest precedence first: the first value seen for a key wins.
            iterable.stream().filter(ROOT::isAncestorOf).filter(n -> !STARTER.isAncestorOf(n) && !STARTER.equals(n))
                    .forEach(name -> {
                        ConfigurationProperty property = source.getConfigurationProperty(name);
                        if (property == null || property.getValue() == null) {
                            return;
                        }
                        ConfigurationPropertyName keyName = name.isLastElementIndexed() ? name.getParent() : name;
                        String key = snowcrashKey(keyName.toString());
                        String value = resolved(environment, property.getValue());
                        if (name.isLastElementIndexed()) {
                            if (values.containsKey(key)) {
                                return; // a plain value of higher precedence set the whole key
                            }
                            int index = Integer.parseInt(name.getLastElement(ConfigurationPropertyName.Form.ORIGINAL));
                            lists.computeIfAbsent(key, k -> new TreeMap<>()).putIfAbsent(index, value);
                            origins.putIfAbsent(key, describe(property.getOrigin(), source));
                        } else if (!values.containsKey(key) && !lists.containsKey(key)) {
                            values.put(key, value);
                            origins.put(key, describe(property.getOrigin(), source));
                        }
                    });
        }
        lists.forEach((key, items) -> values.put(key, String.join(",", items.values())));
        // One source per origin, so Snowcrash's messages name the file and line of each value.
        Map<String, Map<String, String>> byOrigin = new LinkedHashMap<>();
        values.forEach((key, value) -> byOrigin.computeIfAbsent(origins.get(key), o -> new TreeMap<>()).put(key, value));
        List<Configuration.Source> sources = new ArrayList<>();
        byOrigin.forEach((origin, map) -> sources.add(new Configuration.Source(origin, map)));
        return Configuration.of(sources);
    }

    /** Snowcrash's name for a Spring property under {@code snowcrash.}: {@code snowcrash.backend.docker.image} → {@code backend.docker.image}. */
    public static String snowcrashKey(String springName) {
        String rest = springName.substring(PREFIX.length() + 1);
        return OWN_ROOTS.stream().anyMatch(rest::startsWith) ? rest : springName;
    }

    /** The Spring property that sets a Snowcrash key: {@code backend.docker.image} → {@code snowcrash.backend.docker.image}. */
    public static String springName(String snowcrashKey) {
        return snowcrashKey.startsWith(PREFIX + ".") ? snowcrashKey : PREFIX + "." + snowcrashKey;
    }

    private static String resolved(Environment environment, Object value) {
        String text = String.valueOf(value);
        // Placeholders (${HOME}/models) mean in application.yml what they mean everywhere else in Spring.
        return text.contains("${") ? environment.resolveRequiredPlaceholders(text) : text;
    }

    private static String describe(Origin origin, ConfigurationPropertySource source) {
        if (origin != null) {
            return origin.toString();
        }
        Object underlying = source.getUnderlyingSource();
        return underlying instanceof org.springframework.core.env.PropertySource<?> ps ? ps.getName() : String.valueOf(underlying);
    }
}
