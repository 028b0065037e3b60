package org.snowcrash.registry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.LlmBackend;
import org.snowcrash.api.Settings;
import org.snowcrash.api.SettingsReader;

/**
 * Finds {@link LlmBackend} plugins with {@link ServiceLoader} and orders them.
 *
 * <p>Discovery looks in the thread's context class loader, then in this library's own class
 * loader (so a plugin reachable from either is found once). A plugin that fails to load (a bad
 * service file, a missing class, a constructor that throws, an invalid or duplicate id) is
 * recorded as {@link BrokenPlugin} and never stops the others.
 *
 * <p>Order: effective priority ({@code backend.<id>.priority}, else the backend's default)
 * descending, ties broken by id ascending, so the order never depends on classpath order.
 * Configuration problems ({@code backend.docker.priority=high}) are reported all at once as a
 * {@link org.snowcrash.api.ConfigurationException}.
 */
public final class BackendRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(BackendRegistry.class);
    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    /** Try order: priority descending, then id ascending. A total order on distinct ids. */
    public static final Comparator<Candidate> TRY_ORDER =
            Comparator.comparingInt(Candidate::priority).reversed().thenComparing(Candidate::id);

    private BackendRegistry() {
    }

    /** Discovers backends through the context class loader and this library's own. */
    public static Discovery discover(Settings settings) {
        List<ClassLoader> loaders = new ArrayList<>();
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            loaders.add(context);
        }
        loaders.add(BackendRegistry.class.getClassLoader());
        return discover(settings, loaders);
    }

    /** Discovers backends through the given class loaders, in order. */
    public static Discovery discover(Settings settings, List<ClassLoader> loaders) {
        List<LlmBackend> found = new ArrayList<>();
        List<BrokenPlugin> broken = new ArrayList<>();
        Set<String> seenClasses = new LinkedHashSet<>();
        for (ClassLoader loader : new LinkedHashSet<>(loaders)) {
            load(loader, found, broken, seenClasses);
        }
        return order(found, broken, settings);
    }

    private static void load(ClassLoader loader, List<LlmBackend> found, List<BrokenPlugin> broken,
                             Set<String> seenClasses) {
        Iterator<LlmBackend> it = ServiceLoader.load(LlmBackend.class, loader).iterator();
        // ServiceLoader's iterator makes a best effort to go on after an error, so one broken
        // entry costs only itself. A cap guards against an iterator that keeps failing in place.
        for (int guard = 0; guard < 1000; guard++) {
            try {
                if (!it.hasNext()) {
                    return;
                }
                LlmBackend backend = it.next();
                if (seenClasses.add(backend.getClass().getName())) {
                    found.add(backend);
                }
            } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
                LOG.warn("backend plugin could not be loaded: {}", e.toString());
                broken.add(new BrokenPlugin(describeLoadError(e), e));
            }
        }
    }

    private static String describeLoadError(Throwable e) {
        String m = String.valueOf(e.getMessage());
        // ServiceLoader messages read "org.snowcrash.api.LlmBackend: Provider x.Y could not be instantiated".
        int i = m.indexOf("Provider ");
        if (i >= 0) {
            String rest = m.substring(i + "Provider ".length());
            int sp = rest.indexOf(' ');
            return "provider " + (sp > 0 ? rest.substring(0, sp) : rest);
        }
        return "service entry";
    }

    /**
     * Orders already-instantiated backends (also the entry point for tests with fakes). Backends
     * whose id is invalid or taken by an earlier one are reported as broken.
     */
    public static Discovery order(List<LlmBackend> backends, List<BrokenPlugin> brokenSoFar, Settings settings) {
        List<BrokenPlugin> broken = new ArrayList<>(brokenSoFar);
        Map<String, LlmBackend> byId = new LinkedHashMap<>();
        Map<String, Integer> defaults = new LinkedHashMap<>();
        for (LlmBackend b : backends) {
            String id;
            int def;
            try {
                id = b.id();
                def = b.defaultPriority();
            } catch (RuntimeException | LinkageError e) {
                broken.add(new BrokenPlugin("provider " + b.getClass().getName(), e));
                continue;
            }
            if (id == null || !ID.matcher(id).matches()) {
                broken.add(new BrokenPlugin("provider " + b.getClass().getName(),
                        new IllegalArgumentException("invalid backend id '" + id + "' (must match " + ID + ")")));
            } else if (byId.containsKey(id)) {
                broken.add(new BrokenPlugin("provider " + b.getClass().getName(),
                        new IllegalArgumentException("backend id '" + id + "' is already provided by "
                                + byId.get(id).getClass().getName())));
            } else {
                byId.put(id, b);
                defaults.put(id, def);
            }
        }

        SettingsReader reader = settings.reader();
        List<Candidate> candidates = new ArrayList<>();
        byId.forEach((id, backend) -> {
            String pKey = "backend." + id + ".priority";
            int priority = reader.integer(pKey, defaults.get(id), Integer.MIN_VALUE, Integer.MAX_VALUE);
            String source = settings.get(pKey).isPresent() ? settings.sourceOf(pKey) : "default";
            boolean enabled = reader.bool("backend." + id + ".enabled", true);
            candidates.add(new Candidate(backend, priority, source, enabled));
        });
        reader.throwIfProblems();
        candidates.sort(TRY_ORDER);
        if (LOG.isDebugEnabled()) {
            candidates.forEach(c -> LOG.debug("discovered backend {} priority={} ({}) enabled={} class={}",
                    c.id(), c.priority(), c.prioritySource(), c.enabled(), c.backend().getClass().getName()));
        }
        return new Discovery(candidates, broken);
    }
}
