package org.snowcrash.backend.docker;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.snowcrash.api.Settings;
import org.snowcrash.api.SettingsReader;

/**
 * The {@code backend.docker.*} configuration, read and validated in one pass (every problem
 * reported at once).
 *
 * @param host            Docker engine address; {@code backend.docker.host}, else {@code DOCKER_HOST}, else the local socket
 * @param image           the llama-server image
 * @param pull            {@code missing} (default), {@code never} or {@code always}
 * @param commandPrefix   words put before the server flags (e.g. {@code llama-server} for images whose entrypoint is a shell)
 * @param gpu             {@code auto} (nvidia runtime when the engine has it), {@code on} (required) or {@code off}
 * @param network         {@code bridge} (port published on {@link #bindAddress}) or {@code host}
 * @param bindAddress     where the port is published / the server listens in host mode; 127.0.0.1 unless you opt out
 * @param pingTimeout     how long availability waits for the engine
 * @param apiTimeout      connect and response timeout of every Docker API call
 * @param healthPoll      interval of {@code /health} polls while a model loads
 * @param idleTimeout     the longest silence allowed on a generation stream (longer than the server's 30 s ping)
 * @param stopTimeout     bound on stopping containers at close and exit
 * @param apiKey          whether each container gets a fresh random API key
 * @param corsOrigins     value of {@code --cors-origins}
 * @param livenessProbe   whether a one-token request must succeed before the model counts as ready
 * @param reaper          whether a watcher process removes this process's containers after it dies (even by SIGKILL)
 */
record DockerSettings(String host, String image, String pull, List<String> commandPrefix, String gpu, String network,
                      String bindAddress, Duration pingTimeout, Duration apiTimeout, Duration healthPoll,
                      Duration idleTimeout, Duration stopTimeout, boolean apiKey, String corsOrigins,
                      boolean livenessProbe, boolean reaper) {

    static final String DEFAULT_IMAGE = "ghcr.io/ggml-org/llama.cpp:server";
    static final String DEFAULT_SOCKET = "unix:///var/run/docker.sock";
    /** Every key this backend reads (plus the registry's priority and enabled). */
    static final java.util.List<String> KEYS = java.util.stream.Stream.of("priority", "enabled", "host", "image", "pull",
            "command-prefix", "gpu", "network", "bind-address", "ping-timeout", "api-timeout", "health-poll",
            "idle-timeout", "stop-timeout", "api-key", "cors-origins", "liveness-probe", "reaper").map(k -> "backend.docker." + k)
            .collect(java.util.stream.Collectors.toList());

    static DockerSettings from(Settings settings, Map<String, String> environment) {
        SettingsReader r = settings.reader();
        String envHost = environment.get("DOCKER_HOST");
        String host = r.string("backend.docker.host", envHost != null && !envHost.isBlank() ? envHost : DEFAULT_SOCKET);
        if (!host.startsWith("unix://") && !host.startsWith("tcp://") && !host.startsWith("npipe://")) {
            r.problem("backend.docker.host", host, "must start with unix://, tcp:// or npipe://");
            host = DEFAULT_SOCKET;
        }
        DockerSettings s = new DockerSettings(
                host,
                r.string("backend.docker.image", DEFAULT_IMAGE),
                r.oneOf("backend.docker.pull", "missing", "missing", "never", "always"),
                r.words("backend.docker.command-prefix"),
                r.oneOf("backend.docker.gpu", "auto", "auto", "on", "off"),
                r.oneOf("backend.docker.network", "bridge", "bridge", "host"),
                r.string("backend.docker.bind-address", "127.0.0.1"),
                r.duration("backend.docker.ping-timeout", Duration.ofSeconds(2)),
                r.duration("backend.docker.api-timeout", Duration.ofSeconds(30)),
                r.duration("backend.docker.health-poll", Duration.ofMillis(10)),
                r.duration("backend.docker.idle-timeout", Duration.ofSeconds(120)),
                r.duration("backend.docker.stop-timeout", Duration.ofSeconds(10)),
                r.bool("backend.docker.api-key", true),
                r.string("backend.docker.cors-origins", "http://127.0.0.1"),
                r.bool("backend.docker.liveness-probe", true),
                r.bool("backend.docker.reaper", true));
        r.rejectUnknown("backend.docker.", KEYS);
        if (s.image().isBlank()) {
            r.problem("backend.docker.image", s.image(), "must name an image");
        }
        r.throwIfProblems();
        return s;
    }
}
