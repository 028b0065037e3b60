package org.snowcrash.models;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.api.SettingsReader;
import org.snowcrash.models.hub.HubSource;

/**
 * The {@code model.<id>.<key>} keys of a configuration applied to the catalog's built-in entries:
 * which ids a user configures, each key checked (a setting no backend reads is named, with a
 * guess of the one meant), and the entries that result. Every problem is collected in the
 * reader, so one error lists them all.
 */
final class ModelKeys {

    private ModelKeys() {
    }

    /**
     * @param known the settings a {@code model.<id>.} key may end in (the catalog's and the backends')
     * @param base  the built-in entries, by id
     * @return every entry, built-ins first, with the configured keys applied
     */
    static Map<String, CatalogEntry> apply(Settings settings, SettingsReader r, List<String> known,
                                           Map<String, CatalogEntry> base) {
        // Ids a user configures: model.<id>.<key>, where <key> has no dot and <id> may.
        Set<String> configured = new TreeSet<>();
        for (String key : settings.keys()) {
            if (!key.startsWith("model.")) {
                continue;
            }
            int last = key.lastIndexOf('.');
            if (last <= "model.".length()) {
                r.problem(key, settings.get(key).orElse(""), "expected model.<id>.<setting>");
                continue;
            }
            String id = key.substring("model.".length(), last);
            String setting = key.substring(last + 1);
            if (!ModelSpec.isValidId(id)) {
                r.problem(key, settings.get(key).orElse(""), "model id '" + id
                        + "' must be lower-case letters, digits, '.', '_' or '-' (no path separators)");
                continue;
            }
            if (!known.contains(setting)) {
                String hint = known.stream().filter(k -> k.startsWith(setting.substring(0, Math.min(2, setting.length()))))
                        .findFirst().map(k -> "; did you mean model." + id + "." + k + "?")
                        .orElse("; no backend on the classpath reads it; known: " + String.join(", ", known));
                r.problem(key, settings.get(key).orElse(""), "unknown model setting '" + setting + "'" + hint);
                continue;
            }
            configured.add(id);
        }

        Map<String, CatalogEntry> result = new LinkedHashMap<>(base);
        for (String id : configured) {
            CatalogEntry b = base.get(id);
            String p = "model." + id + ".";
            if (b == null && settings.get(p + "file").isEmpty()) {
                r.problem(p + "file", null, "model '" + id + "' is not in the catalog; define it with " + p + "file");
                continue;
            }
            if (b == null) {
                b = CatalogEntry.of(id, "", ModelCatalog.REAL_MODEL_STARTUP, false, "user-defined model");
            }
            String file = r.string(p + "file", b.file());
            checkRelative(r, p + "file", file);
            Optional<HubSource> source = file.equals(b.file()) ? b.source() : Optional.empty();
            if (settings.get(p + "source").isPresent()) {
                try {
                    source = Optional.of(HubSource.parse(r.string(p + "source", "")));
                } catch (IllegalArgumentException e) {
                    r.problem(p + "source", settings.get(p + "source").get(), e.getMessage());
                }
            }
            result.put(id, new CatalogEntry(id, file,
                    AutoGpuLayers.parse(settings, r, p + "gpu-layers", b.gpuLayers()),
                    r.integer(p + "ctx-size", b.contextSize(), 1, 10_000_000),
                    r.integer(p + "batch-size", b.batchSize(), 1, 10_000_000),
                    r.integer(p + "threads", b.threads(), 0, 1024),
                    r.duration(p + "startup-timeout", b.startupTimeout()),
                    b.synthesized() && file.equals(b.file()),
                    b.description(), source,
                    r.integer(p + "parallel", b.parallel(), 1, 256),
                    r.choice(p + "tool-format", b.toolFormat())));
        }
        return result;
    }

    private static void checkRelative(SettingsReader r, String key, String file) {
        Path p = Path.of(file);
        if (file.isBlank() || p.isAbsolute() || p.normalize().startsWith("..") || file.contains("\0")) {
            r.problem(key, file, "must be a path relative to the models directory that stays inside it");
        }
    }

}
