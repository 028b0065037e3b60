package org.snowcrash.backend.docker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.Settings;
import org.snowcrash.api.SettingsReader;

/**
 * The {@code backend.docker.*} configuration, read and validated in one pass (every problem
 * reported at once). This class is the one place that owns these keys' defaults.
 *
 * @param host            Docker engine address; {@code backend.docker.host}, else {@code DOCKER_HOST}, else the local socket
 * @param tlsVerify       whether the engine is reached over TLS with client certificates
 *                        ({@code backend.docker.tls-verify}, else {@code DOCKER_TLS_VERIFY})
 * @param certPath        folder with {@code ca.pem}, {@code cert.pem}, {@code key.pem}
 *                        ({@code backend.docker.cert-path}, else {@code DOCKER_CERT_PATH}, else {@code ~/.docker})
 * @param image           the llama-server image, with a tag ({@code :latest} added when none was given);
 *                        {@code auto} (the default) takes the {@link org.snowcrash.machine.ServerImages} table's image for the machine
 * @param pull            when to pull the image
 * @param commandPrefix   words put after the image's entrypoint, before the server flags
 *                        (e.g. {@code llama-server} for images whose entrypoint is not the server); with
 *                        {@code image=auto} and no {@code command-prefix}, the table's
 * @param gpu             how containers get the GPU ({@link GpuMode})
 * @param network         bridge (port published on {@link #bindAddress}) or host network
 * @param bindAddress     where the port is published / the server listens in host mode; 127.0.0.1 unless you opt out
 * @param user            {@code uid:gid} the server runs as; empty for the calling user's own ids
 * @param labels          extra labels put on every container (for a fleet's own bookkeeping)
 * @param pingTimeout     how long availability waits for the engine
 * @param apiTimeout      connect and response timeout of every Docker API call
 * @param healthPoll      interval of {@code /health} polls while a model loads
 * @param idleTimeout     the longest silence allowed on a generation stream (longer than the server's 30 s ping)
 * @param requestTimeout  the longest a blocking (non-streaming) request may take as a whole
 * @param stopTimeout     bound on stopping containers at close and exit
 * @param corsOrigins     value of {@code --cors-origins}
 * @param livenessProbe   whether a one-token request must succeed before the model counts as ready
 * @param cacheRam        the server's prompt-cache bound ({@code --cache-ram}): a quarter of the
 *                        container's memory limit, a size, or not passed at all
 * @param hostChoice      the machine and the table's choice for it, from which the auto values came
 * @param slotCache       where and how much of conversations' prompt caches are kept on disk so that a
 *                        restarted container resumes them ({@link SlotStore})
 */
record DockerSettings(String host, boolean tlsVerify, Path certPath, String image, PullPolicy pull,
                      List<String> commandPrefix, GpuMode gpu, NetworkMode network, String bindAddress,
                      String user, Map<String, String> labels, Duration pingTimeout, Duration apiTimeout,
                      Duration healthPoll, Duration idleTimeout, Duration requestTimeout, Duration stopTimeout,
                      String corsOrigins, boolean livenessProbe, CacheRam cacheRam, HostChoice hostChoice,
                      SlotCache slotCache) {

    /** {@code backend.docker.cache-ram}: {@code auto}, {@code off} or a size. */
    record CacheRam(Mode mode, long bytes) {
        enum Mode { AUTO, OFF, FIXED }

        static final CacheRam AUTO = new CacheRam(Mode.AUTO, 0);
    }

    /**
     * {@code backend.docker.slot-cache}, {@code slot-cache-size} and {@code slot-cache-dir}.
     *
     * @param on       whether conversations' slot caches are saved and restored
     * @param maxBytes the most the saved files of one process may take on disk
     * @param dir      the folder under which each process keeps its own folder of files
     */
    record SlotCache(boolean on, long maxBytes, Path dir) {
        /** Default bound: a few conversations of a small model, one of a large one. */
        static final long DEFAULT_BYTES = 1L << 30;
    }

    private static final Logger LOG = LoggerFactory.getLogger(DockerSettings.class);

    static final String PREFIX = "backend.docker.";
    /** The image {@code auto} picks on a machine without a GPU (and the default before auto existed). */
    static final String DEFAULT_IMAGE = org.snowcrash.machine.ServerImages.CPU_IMAGE;
    static final String DEFAULT_SOCKET = "unix:///var/run/docker.sock";
    private static final Pattern USER = Pattern.compile("\\d{1,10}(:\\d{1,10})?");
    private static final Pattern LABEL_KEY = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}");

    /** Every key this backend reads (plus the registry's priority and enabled). */
    static final List<String> KEYS = Stream.of("priority", "enabled", "host", "tls-verify", "cert-path", "image",
            "pull", "command-prefix", "gpu", "network", "bind-address", "user", "labels", "ping-timeout",
            "api-timeout", "health-poll", "idle-timeout", "request-timeout", "stop-timeout", "api-key",
            "cors-origins", "liveness-probe", "reaper", "cache-ram", "slot-cache", "slot-cache-size", "slot-cache-dir").map(k -> PREFIX + k).collect(Collectors.toList());

    DockerSettings {
        commandPrefix = List.copyOf(commandPrefix);
        labels = Map.copyOf(labels);
    }

    static DockerSettings from(Settings settings, Map<String, String> environment) {
        SettingsReader r = settings.reader();
        String envHost = environment.get("DOCKER_HOST");
        String host = r.string(PREFIX + "host", envHost != null && !envHost.isBlank() ? envHost : DEFAULT_SOCKET);
        if (!host.startsWith("unix://") && !host.startsWith("tcp://") && !host.startsWith("npipe://")) {
            r.problem(PREFIX + "host", host, "must start with unix://, tcp:// or npipe://");
            host = DEFAULT_SOCKET;
        }
        String envVerify = environment.getOrDefault("DOCKER_TLS_VERIFY", "");
        // Docker's own clients treat any non-empty DOCKER_TLS_VERIFY other than 0/false as "on".
        boolean verifyDefault = !envVerify.isBlank() && !envVerify.equals("0") && !envVerify.equalsIgnoreCase("false");
        boolean tlsVerify = r.bool(PREFIX + "tls-verify", verifyDefault);
        String envCerts = environment.get("DOCKER_CERT_PATH");
        String home = environment.getOrDefault("HOME", System.getProperty("user.home", "."));
        Path certPath = Path.of(r.string(PREFIX + "cert-path",
                envCerts != null && !envCerts.isBlank() ? envCerts : Path.of(home, ".docker").toString()));

        String rawImage = r.string(PREFIX + "image", HostChoice.AUTO).trim();
        HostChoice hostChoice = HostChoice.resolve(settings, environment, host, rawImage);
        String image = hostChoice.imageAuto() ? hostChoice.choice().image() : ImageReference.withDefaultTag(rawImage);
        if (image.isBlank() || image.equals(":latest")) {
            r.problem(PREFIX + "image", image, "must name an image");
        }
        String user = r.string(PREFIX + "user", "").trim();
        if (!user.isEmpty() && !USER.matcher(user).matches()) {
            r.problem(PREFIX + "user", user, "must be a numeric uid or uid:gid (empty: the calling user's own ids)");
            user = "";
        }
        if (!r.bool(PREFIX + "api-key", true)) {
            r.problem(PREFIX + "api-key", "false", "cannot be turned off: in bridge mode every local user and every "
                    + "container on the same Docker network can reach the server's address, and in host mode every "
                    + "local user can; the per-container key is what keeps them out");
        }
        if (settings.get(PREFIX + "reaper").isPresent()) {
            // Moved, not broken: containers now end with the connection of the process that started them.
            LOG.warn("{} is no longer used: a container now ends by itself when the process that started it ends,"
                    + " however it ends; remove the key", PREFIX + "reaper");
        }
        DockerSettings s = new DockerSettings(
                host, tlsVerify, certPath, image,
                r.choice(PREFIX + "pull", PullPolicy.MISSING),
                hostChoice.prefixAuto() ? hostChoice.choice().commandPrefix() : r.words(PREFIX + "command-prefix"),
                r.choice(PREFIX + "gpu", GpuMode.AUTO),
                r.choice(PREFIX + "network", NetworkMode.BRIDGE),
                r.string(PREFIX + "bind-address", "127.0.0.1").trim(),
                user,
                labels(r, settings.get(PREFIX + "labels")),
                r.duration(PREFIX + "ping-timeout", Duration.ofSeconds(2)),
                r.duration(PREFIX + "api-timeout", Duration.ofSeconds(30)),
                r.duration(PREFIX + "health-poll", Duration.ofMillis(10)),
                r.duration(PREFIX + "idle-timeout", Duration.ofSeconds(120)),
                r.duration(PREFIX + "request-timeout", Duration.ofMinutes(10)),
                r.duration(PREFIX + "stop-timeout", Duration.ofSeconds(10)),
                r.string(PREFIX + "cors-origins", "http://127.0.0.1"),
                r.bool(PREFIX + "liveness-probe", true),
                cacheRam(r, settings.get(PREFIX + "cache-ram")),
                hostChoice,
                new SlotCache(r.bool(PREFIX + "slot-cache", true),
                        r.bytes(PREFIX + "slot-cache-size", SlotCache.DEFAULT_BYTES),
                        Path.of(r.string(PREFIX + "slot-cache-dir", defaultSlotDir(environment, home).toString()))));
        if (!BindAddress.isLiteral(s.bindAddress())) {
            r.problem(PREFIX + "bind-address", s.bindAddress(), "must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1");
        }
        if (!s.slotCache().dir().isAbsolute()) {
            r.problem(PREFIX + "slot-cache-dir", s.slotCache().dir().toString(), "must be an absolute path");
        }
        BindAddress.engineHost(host).filter(h -> !BindAddress.isLoopbackHost(h)).ifPresent(engine -> {
            if (BindAddress.isLoopbackHost(s.bindAddress())) {
                // The server would listen on the other host's loopback, where this machine cannot reach it.
                r.problem(PREFIX + "bind-address", s.bindAddress(), "publishes the server on the loopback of the"
                        + " engine's host " + engine + ", which this machine cannot reach; set it to 0.0.0.0 (reached at "
                        + engine + ", the API key guards it) or to an address of " + engine);
            }
        });
        r.rejectUnknown(PREFIX, KEYS);
        r.throwIfProblems();
        return s;
    }

    /** {@code $XDG_CACHE_HOME/snowcrash/slots}, else {@code ~/.cache/snowcrash/slots}: a cache, not a temp file. */
    private static Path defaultSlotDir(Map<String, String> environment, String home) {
        String xdg = environment.get("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg) : Path.of(home, ".cache");
        return cache.resolve("snowcrash").resolve("slots");
    }

    private static CacheRam cacheRam(SettingsReader r, Optional<String> raw) {
        if (raw.isEmpty() || raw.get().isBlank() || raw.get().trim().equalsIgnoreCase("auto")) {
            return CacheRam.AUTO;
        }
        if (raw.get().trim().equalsIgnoreCase("off")) {
            return new CacheRam(CacheRam.Mode.OFF, 0);
        }
        return new CacheRam(CacheRam.Mode.FIXED, r.bytes(PREFIX + "cache-ram", 0));
    }

    /** {@code k=v,k2=v2}; keys in our own {@code org.snowcrash.} namespace are refused. */
    private static Map<String, String> labels(SettingsReader r, Optional<String> raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw.isEmpty() || raw.get().isBlank()) {
            return m;
        }
        for (String pair : raw.get().split(",")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair.trim() : pair.substring(0, eq).trim();
            String v = eq < 0 ? "" : pair.substring(eq + 1).trim();
            if (eq < 0 || !LABEL_KEY.matcher(k).matches()) {
                r.problem(PREFIX + "labels", raw.get(), "must be key=value pairs separated by commas");
                return Map.of();
            }
            if (k.startsWith(Labels.NAMESPACE)) {
                r.problem(PREFIX + "labels", raw.get(), "keys under " + Labels.NAMESPACE + " are snowcrash's own");
                return Map.of();
            }
            m.put(k, v);
        }
        return m;
    }
}
