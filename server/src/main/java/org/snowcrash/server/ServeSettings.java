package org.snowcrash.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.snowcrash.api.Settings;
import org.snowcrash.api.SettingsReader;

/**
 * The {@code serve.*} configuration, read once with every problem reported at once.
 *
 * @param host             where the server listens ({@code serve.host}, default {@code 127.0.0.1}: loopback only)
 * @param port             its port ({@code serve.port}, default 11435; 0 picks a free one)
 * @param apiKey           the bearer key from configuration ({@code serve.api-key}), if set
 * @param keyFile          where the generated key is kept when {@code serve.api-key} is not set
 *                         ({@code serve.key-file}, default {@code $XDG_CONFIG_HOME/snowcrash/serve.key},
 *                         else {@code ~/.config/snowcrash/serve.key})
 * @param drainTimeout     how long a shutdown waits for requests in flight before it cuts them
 *                         ({@code serve.drain-timeout}, default 30 s)
 * @param defaultMaxTokens the token limit of a request that names none ({@code serve.default-max-tokens}, default 256)
 * @param idleTimeout      the longest silence on a connection ({@code serve.idle-timeout}, default 10 min: a
 *                         blocking answer says nothing until it is complete, and a first request may wait for
 *                         a model to load)
 */
record ServeSettings(String host, int port, Optional<String> apiKey, Path keyFile, Duration drainTimeout,
                     int defaultMaxTokens, Duration idleTimeout) {

    static final String HOST = "serve.host";
    static final String PORT = "serve.port";
    static final String API_KEY = "serve.api-key";
    static final String KEY_FILE = "serve.key-file";
    static final String DRAIN_TIMEOUT = "serve.drain-timeout";
    static final String DEFAULT_MAX_TOKENS = "serve.default-max-tokens";
    static final String IDLE_TIMEOUT = "serve.idle-timeout";
    static final List<String> KEYS = List.of(HOST, PORT, API_KEY, KEY_FILE, DRAIN_TIMEOUT, DEFAULT_MAX_TOKENS, IDLE_TIMEOUT);

    /** The default port: Ollama's 11434 plus one, so both can run side by side. */
    static final int DEFAULT_PORT = 11435;

    /**
     * Reads the settings; {@code environment} gives {@code XDG_CONFIG_HOME} and {@code HOME}
     * (injected, so tests never touch the real user's folders).
     *
     * @throws org.snowcrash.api.ConfigurationException naming every wrong or unknown {@code serve.*} key
     */
    static ServeSettings from(Settings settings, Map<String, String> environment) {
        SettingsReader r = settings.reader();
        r.rejectUnknown("serve.", KEYS);
        String host = r.string(HOST, "127.0.0.1");
        if (host.isBlank()) {
            r.problem(HOST, host, "must be an address or host name to listen on");
        }
        int port = r.integer(PORT, DEFAULT_PORT, 0, 65535);
        Optional<String> key = settings.get(API_KEY);
        if (key.isPresent() && (key.get().length() < 16 || !key.get().matches("[\\x21-\\x7e]+"))) {
            r.problem(API_KEY, "(hidden)", "must be at least 16 printable characters without spaces"
                    + " (or unset, to have one generated)");
        }
        Path keyFile = settings.get(KEY_FILE).map(Path::of).orElseGet(() -> defaultKeyFile(environment));
        Duration drain = r.duration(DRAIN_TIMEOUT, Duration.ofSeconds(30));
        int maxTokens = r.integer(DEFAULT_MAX_TOKENS, 256, 1, 1_000_000);
        Duration idle = r.duration(IDLE_TIMEOUT, Duration.ofMinutes(10));
        if (idle.toMillis() < 1000) {
            r.problem(IDLE_TIMEOUT, settings.get(IDLE_TIMEOUT).orElse(""), "must be at least 1s");
        }
        r.throwIfProblems();
        return new ServeSettings(host.strip(), port, key, keyFile.toAbsolutePath(), drain, maxTokens, idle);
    }

    /** {@code $XDG_CONFIG_HOME/snowcrash/serve.key}, else {@code $HOME/.config/snowcrash/serve.key}. */
    static Path defaultKeyFile(Map<String, String> environment) {
        String xdg = environment.get("XDG_CONFIG_HOME");
        // The XDG spec says a relative value is invalid and must be ignored.
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(Optional.ofNullable(environment.get("HOME")).filter(h -> !h.isBlank())
                        .orElse(System.getProperty("user.home")), ".config");
        return base.resolve("snowcrash").resolve("serve.key");
    }
}
