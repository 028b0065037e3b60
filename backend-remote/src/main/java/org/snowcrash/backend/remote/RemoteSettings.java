package org.snowcrash.backend.remote;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.snowcrash.api.Capability;
import org.snowcrash.api.Settings;
import org.snowcrash.api.SettingsReader;

import okhttp3.HttpUrl;

/**
 * The {@code backend.remote.*} configuration, read and validated in one pass (every problem
 * reported at once). This class is the one place that owns these keys' defaults.
 *
 * @param endpoints      base URLs like the OpenAI SDKs' {@code base_url}, normally ending in
 *                       {@code /v1}, without a trailing slash, in configuration order; empty when
 *                       the backend is not configured
 * @param apiKey         sent as {@code Authorization: Bearer}; empty for none
 * @param caFile         a PEM file with the certificate authorities to trust for {@code https}
 *                       endpoints instead of the system's; empty for the system's
 * @param connectTimeout how long connecting (and a TLS handshake) may take; also bounds the
 *                       availability probe as a whole
 * @param idleTimeout    the longest silence allowed on a streamed answer (a cut link is noticed
 *                       within it)
 * @param requestTimeout the longest a blocking (non-streaming) request may take as a whole
 * @param cooldown       how long an endpoint is left alone after a hard failure before one request
 *                       re-tests it
 * @param capabilities   what the servers honour ({@code backend.remote.capabilities}: {@code tools},
 *                       {@code json-schema}, comma-separated, or {@code none}; default both, as an
 *                       OpenAI-compatible server takes {@code tools} and {@code response_format})
 */
record RemoteSettings(List<String> endpoints, Optional<String> apiKey, Optional<Path> caFile, Duration connectTimeout,
                      Duration idleTimeout, Duration requestTimeout, Duration cooldown, Set<Capability> capabilities) {

    static final String PREFIX = "backend.remote.";

    /** Every key this backend reads (plus the registry's priority and enabled). */
    static final List<String> KEYS = Stream.of("priority", "enabled", "endpoints", "api-key", "ca-file",
            "connect-timeout", "idle-timeout", "request-timeout", "cooldown", "capabilities").map(k -> PREFIX + k)
            .collect(Collectors.toList());

    /** What {@code backend.remote.capabilities} may name, by the word used for it there. */
    static final Map<String, Capability> CAPABILITY_WORDS = Map.of("tools", Capability.TOOLS, "json-schema", Capability.JSON_SCHEMA);

    /** What an OpenAI-compatible server is taken to honour unless the key says less. */
    static final Set<Capability> DEFAULT_CAPABILITIES = Set.copyOf(EnumSet.of(Capability.TOOLS, Capability.JSON_SCHEMA));

    RemoteSettings {
        endpoints = List.copyOf(endpoints);
        capabilities = Set.copyOf(capabilities);
    }

    /** Whether any endpoint is configured. */
    boolean configured() {
        return !endpoints.isEmpty();
    }

    /** The name sent as {@code model} for a catalog model: {@code model.<id>.remote-name}, else the id. */
    static String remoteName(Settings settings, String modelId) {
        return settings.get("model." + modelId + ".remote-name").map(String::trim).filter(s -> !s.isEmpty()).orElse(modelId);
    }

    /**
     * Reads and checks the keys.
     *
     * @throws org.snowcrash.api.ConfigurationException naming every problem
     */
    static RemoteSettings from(Settings settings) {
        SettingsReader r = settings.reader();
        List<String> endpoints = endpoints(r, settings.get(PREFIX + "endpoints").orElse(""));
        Optional<String> apiKey = settings.get(PREFIX + "api-key").map(String::trim).filter(s -> !s.isEmpty());
        Optional<Path> caFile = settings.get(PREFIX + "ca-file").map(String::trim).filter(s -> !s.isEmpty()).map(Path::of);
        if (caFile.isPresent() && !Files.isReadable(caFile.get())) {
            r.problem(PREFIX + "ca-file", caFile.get().toString(), "cannot be read (a PEM file with the certificate"
                    + " authority that signed the servers' certificates)");
        }
        RemoteSettings s = new RemoteSettings(endpoints, apiKey, caFile,
                r.duration(PREFIX + "connect-timeout", Duration.ofSeconds(2)),
                r.duration(PREFIX + "idle-timeout", Duration.ofSeconds(120)),
                r.duration(PREFIX + "request-timeout", Duration.ofMinutes(10)),
                r.duration(PREFIX + "cooldown", Duration.ofSeconds(30)),
                capabilities(r, settings.get(PREFIX + "capabilities")));
        rejectUnknownWithoutShowingSecrets(r, settings);
        r.throwIfProblems();
        return s;
    }

    /**
     * {@code tools}, {@code json-schema} (comma-separated), or {@code none}; absent: both. A server
     * that does not take {@code tools} or {@code response_format} (or ignores them: an old vLLM,
     * a gateway in front of a text-only model) is declared with fewer, so the runtime refuses such
     * requests, or the fallback chain skips this backend for them, instead of a server answering
     * them with text.
     */
    private static Set<Capability> capabilities(SettingsReader r, Optional<String> raw) {
        if (raw.isEmpty()) {
            return DEFAULT_CAPABILITIES;
        }
        Set<Capability> out = EnumSet.noneOf(Capability.class);
        String value = raw.get().trim().toLowerCase(Locale.ROOT);
        if (value.equals("none")) {
            return out;
        }
        for (String part : value.split(",")) {
            String word = part.trim();
            Capability c = CAPABILITY_WORDS.get(word);
            if (c == null) {
                r.problem(PREFIX + "capabilities", raw.get(), "'" + word + "' is not one of tools, json-schema"
                        + " (comma-separated), or none");
            } else {
                out.add(c);
            }
        }
        return out;
    }

    /** {@code http(s)://host[:port][/path]}, comma-separated; each checked, duplicates refused. */
    private static List<String> endpoints(SettingsReader r, String raw) {
        Set<String> result = new LinkedHashSet<>();
        for (String part : raw.split(",")) {
            String url = part.trim().replaceAll("/+$", "");
            if (url.isEmpty()) {
                continue;
            }
            HttpUrl parsed = HttpUrl.parse(url);
            String scheme = url.toLowerCase(Locale.ROOT);
            if (parsed == null || !(scheme.startsWith("http://") || scheme.startsWith("https://"))) {
                r.problem(PREFIX + "endpoints", raw, "'" + url + "' is not an http:// or https:// URL"
                        + " (write base URLs like http://gpu1:8080/v1, separated by commas)");
                continue;
            }
            if (parsed.query() != null || parsed.fragment() != null || parsed.username().length() > 0) {
                r.problem(PREFIX + "endpoints", raw, "'" + url + "' must be a plain base URL, without user, query or"
                        + " fragment (the API key is backend.remote.api-key)");
                continue;
            }
            if (!result.add(url)) {
                r.problem(PREFIX + "endpoints", raw, "'" + url + "' is listed twice");
            }
        }
        return new ArrayList<>(result);
    }

    /**
     * As {@link SettingsReader#rejectUnknown}, but a mistyped key that looks like it holds a secret
     * ({@code backend.remote.apikey}) is reported without its value: the error goes to a terminal
     * or a log, and the key must not.
     */
    private static void rejectUnknownWithoutShowingSecrets(SettingsReader r, Settings settings) {
        List<String> known = new ArrayList<>(KEYS);
        for (String key : settings.keys()) {
            if (key.startsWith(PREFIX) && !KEYS.contains(key) && key.toLowerCase(Locale.ROOT).contains("key")) {
                r.problem(key, "(hidden)", "unknown key; did you mean " + PREFIX + "api-key?");
                known.add(key);
            }
        }
        r.rejectUnknown(PREFIX, known);
    }

    @Override
    public String toString() {
        // Never print the key.
        return "RemoteSettings[endpoints=" + endpoints + ", apiKey=" + (apiKey.isPresent() ? "(set)" : "(none)")
                + ", caFile=" + caFile.map(Path::toString).orElse("(system)") + ", connectTimeout=" + connectTimeout
                + ", idleTimeout=" + idleTimeout + ", requestTimeout=" + requestTimeout + ", cooldown=" + cooldown
                + ", capabilities=" + capabilities + "]";
    }
}
