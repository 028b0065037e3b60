package org.snowcrash.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.Settings;

/**
 * The one configuration of Snowcrash, merged from every source in this precedence (lowest first):
 * <ol>
 *   <li>built-in defaults (in the code that reads each key);</li>
 *   <li>{@code snowcrash.properties} resources on the classpath;</li>
 *   <li>a {@code snowcrash.properties} file: the one named by {@code --config} or
 *       {@code SNOWCRASH_CONFIG}, else the one in the working directory if present;</li>
 *   <li>environment variables: {@code SNOWCRASH_BACKEND_DOCKER_PRIORITY} is
 *       {@code backend.docker.priority} ({@code _} → {@code .}, {@code __} → {@code -},
 *       lower case; names outside {@code backend.}/{@code model.}/{@code serve.} get
 *       {@code snowcrash.} in front, so {@code SNOWCRASH_MODELS_DIR} is {@code snowcrash.models.dir});</li>
 *   <li>system properties whose names start with {@code snowcrash.}, {@code backend.},
 *       {@code model.} or {@code serve.};</li>
 *   <li>command-line flags.</li>
 * </ol>
 * Immutable and thread-safe. Tests build one from plain maps ({@link #fromMap(Map)},
 * {@link #of(List)}) and never touch the real environment.
 */
public final class Configuration implements Settings {

    /** The environment variable naming the configuration file. */
    public static final String CONFIG_ENV = "SNOWCRASH_CONFIG";
    /** The file name looked up on the classpath and in the working directory. */
    public static final String FILE_NAME = "snowcrash.properties";

    private static final List<String> NAMESPACES = List.of("snowcrash.", "backend.", "model.", "serve.");
    /** Namespaces whose environment names carry no {@code snowcrash.} in front of the key. */
    private static final List<String> OWN_ROOTS = List.of("backend.", "model.", "serve.");

    /**
     * One source of values.
     *
     * @param name   how errors name it ({@code "file /etc/snowcrash.properties"})
     * @param values its keys and values
     */
    public record Source(String name, Map<String, String> values) {
        public Source {
            Objects.requireNonNull(name);
            values = Collections.unmodifiableMap(new TreeMap<>(values));
        }
    }

    private final Map<String, String> values;
    private final Map<String, String> sources;
    private final List<Source> layers;

    private Configuration(List<Source> lowestFirst) {
        Map<String, String> v = new TreeMap<>();
        Map<String, String> s = new TreeMap<>();
        for (Source source : lowestFirst) {
            source.values().forEach((key, value) -> {
                v.put(key, value);
                s.put(key, source.name());
            });
        }
        this.values = Collections.unmodifiableMap(v);
        this.sources = Collections.unmodifiableMap(s);
        this.layers = List.copyOf(lowestFirst);
    }

    /** Merges sources given lowest precedence first. */
    public static Configuration of(List<Source> lowestFirst) {
        return new Configuration(lowestFirst);
    }

    /** A configuration from one plain map (tests). */
    public static Configuration fromMap(Map<String, String> values) {
        return of(List.of(new Source("map", values)));
    }

    /**
     * Loads the configuration from the real world.
     *
     * @param explicitFile the {@code --config} file, if given; it must exist
     * @param flags        values from command-line flags (highest precedence)
     */
    public static Configuration load(Optional<Path> explicitFile, Map<String, String> flags) {
        return load(new Inputs(explicitFile, System.getenv(), System.getProperties(),
                Path.of("").toAbsolutePath(), Thread.currentThread().getContextClassLoader(), flags));
    }

    /**
     * The configuration a builder uses when it is given none: {@link #load(Optional, Map)} with no
     * file and no flags, loaded once per process on first use and then shared, so an application
     * that builds several runtimes without settings reads its files and environment once and
     * every runtime sees the same values. Pass {@code settings(...)} to a builder to use another.
     *
     * @throws org.snowcrash.api.ConfigurationException on the first use, when a source is unreadable
     *         or malformed (and again on the next use: a failed load is not kept)
     */
    public static Configuration processDefault() {
        Configuration c = processDefault;
        if (c == null) {
            synchronized (Configuration.class) {
                c = processDefault;
                if (c == null) {
                    c = load(Optional.empty(), Map.of());
                    processDefault = c;
                }
            }
        }
        return c;
    }

    private static volatile Configuration processDefault;

    /**
     * Everything loading reads, injected so tests can control each part.
     *
     * @param explicitFile     the {@code --config} file, if given
     * @param environment      the environment variables
     * @param systemProperties the system properties
     * @param workingDirectory where {@code ./snowcrash.properties} is looked for
     * @param classLoader      where {@code snowcrash.properties} resources are looked for; may be null
     * @param flags            command-line values
     */
    public record Inputs(Optional<Path> explicitFile, Map<String, String> environment,
                         Properties systemProperties, Path workingDirectory, ClassLoader classLoader,
                         Map<String, String> flags) {
    }

    /** Loads from injected inputs; every unreadable file is reported at once. */
    public static Configuration load(Inputs in) {
        List<Source> sources = new ArrayList<>();
        List<ConfigurationException.Problem> problems = new ArrayList<>();

        if (in.classLoader() != null) {
            try {
                Enumeration<URL> urls = in.classLoader().getResources(FILE_NAME);
                List<URL> list = Collections.list(urls);
                for (URL url : list) {
                    try (InputStream s = url.openStream()) {
                        sources.add(new Source("classpath " + url, read(s)));
                    } catch (IOException e) {
                        problems.add(new ConfigurationException.Problem("(file)", null, "classpath " + url,
                                "cannot be read: " + e.getMessage()));
                    }
                }
            } catch (IOException e) {
                problems.add(new ConfigurationException.Problem("(file)", null, "classpath", e.getMessage()));
            }
        }

        Optional<Path> file = in.explicitFile();
        String origin = "--config";
        if (file.isEmpty() && in.environment().get(CONFIG_ENV) != null && !in.environment().get(CONFIG_ENV).isBlank()) {
            file = Optional.of(Path.of(in.environment().get(CONFIG_ENV)));
            origin = CONFIG_ENV;
        }
        if (file.isPresent()) {
            Path p = file.get();
            if (!Files.isRegularFile(p)) {
                problems.add(new ConfigurationException.Problem("(file)", p.toString(), origin,
                        "configuration file does not exist or is not a regular file"));
            } else {
                addFile(p, sources, problems);
            }
        } else {
            Path local = in.workingDirectory().resolve(FILE_NAME);
            if (Files.isRegularFile(local)) {
                addFile(local, sources, problems);
            }
        }

        Map<String, String> env = new TreeMap<>();
        in.environment().forEach((name, value) -> envKey(name).ifPresent(k -> env.put(k, value)));
        sources.add(new Source("environment", env));

        Map<String, String> sys = new TreeMap<>();
        for (String name : in.systemProperties().stringPropertyNames()) {
            if (inNamespace(name)) {
                sys.put(name, in.systemProperties().getProperty(name));
            }
        }
        sources.add(new Source("system property", sys));
        sources.add(new Source("command line", in.flags()));

        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
        return new Configuration(sources);
    }

    private static void addFile(Path p, List<Source> sources, List<ConfigurationException.Problem> problems) {
        try (Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            Properties props = new Properties();
            props.load(r);
            Map<String, String> m = new LinkedHashMap<>();
            props.stringPropertyNames().forEach(k -> m.put(k, props.getProperty(k)));
            sources.add(new Source("file " + p, m));
        } catch (IOException | IllegalArgumentException e) {
            problems.add(new ConfigurationException.Problem("(file)", p.toString(), "file " + p,
                    "cannot be read: " + e.getMessage()));
        }
    }

    private static Map<String, String> read(InputStream s) throws IOException {
        Properties props = new Properties();
        props.load(new java.io.InputStreamReader(s, StandardCharsets.UTF_8));
        Map<String, String> m = new LinkedHashMap<>();
        props.stringPropertyNames().forEach(k -> m.put(k, props.getProperty(k)));
        return m;
    }

    /**
     * The configuration key an environment variable stands for, if it is one of ours:
     * {@code SNOWCRASH_BACKEND_DOCKER_PRIORITY} → {@code backend.docker.priority}.
     */
    public static Optional<String> envKey(String variable) {
        if (!variable.startsWith("SNOWCRASH_") || variable.equals(CONFIG_ENV)) {
            return Optional.empty();
        }
        String rest = variable.substring("SNOWCRASH_".length());
        if (rest.isEmpty()) {
            return Optional.empty();
        }
        // "__" stands for "-" (model ids such as phi-3), a single "_" for ".".
        String key = rest.toLowerCase(Locale.ROOT).replace("__", "\u0000").replace('_', '.').replace('\u0000', '-');
        String k = key;
        if (OWN_ROOTS.stream().noneMatch(k::startsWith)) {
            key = "snowcrash." + key;
        }
        return Optional.of(key);
    }

    /** The environment variable that sets a key: {@code backend.docker.priority} → {@code SNOWCRASH_BACKEND_DOCKER_PRIORITY}. */
    public static String envName(String key) {
        String k = key.startsWith("snowcrash.") ? key.substring("snowcrash.".length()) : key;
        return "SNOWCRASH_" + k.toUpperCase(Locale.ROOT).replace("-", "__").replace('.', '_');
    }

    private static boolean inNamespace(String name) {
        return NAMESPACES.stream().anyMatch(name::startsWith);
    }

    @Override
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    @Override
    public String sourceOf(String key) {
        return sources.getOrDefault(key, "default");
    }

    @Override
    public Set<String> keys() {
        return new TreeSet<>(values.keySet());
    }

    /** The sources this configuration was merged from, lowest precedence first. */
    public List<Source> sources() {
        return layers;
    }

    /** A copy with more values on top (highest precedence), e.g. flags added later. */
    public Configuration with(String sourceName, Map<String, String> more) {
        List<Source> l = new ArrayList<>(layers);
        l.add(new Source(sourceName, more));
        return new Configuration(l);
    }

    @Override
    public String toString() {
        return "Configuration" + values;
    }
}
