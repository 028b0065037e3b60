package org.snowcrash.hub;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.snowcrash.api.Settings;
import org.snowcrash.api.SettingsReader;

/**
 * What {@link HubDownloader} needs from the configuration and the environment: the hub's address
 * ({@code snowcrash.hub.url}, a mirror works if it keeps the hub's layout), the connect and read
 * timeouts, and the token from {@code HF_TOKEN}. The token never comes from a configuration
 * file, so it does not end up in one.
 *
 * @param url            the hub, without a trailing slash ({@code https://huggingface.co})
 * @param connectTimeout how long a connection may take to open
 * @param readTimeout    the longest silence allowed while a response is read (a stalled download fails after it)
 * @param token          the bearer token sent to the hub's host only, if any
 */
public record HubSettings(URI url, Duration connectTimeout, Duration readTimeout, Optional<String> token) {

    /** The hub's address. */
    public static final String URL_KEY = "snowcrash.hub.url";
    /** How long a connection may take to open. */
    public static final String CONNECT_TIMEOUT_KEY = "snowcrash.hub.connect-timeout";
    /** The longest silence allowed while reading. */
    public static final String READ_TIMEOUT_KEY = "snowcrash.hub.read-timeout";
    /** Every {@code snowcrash.hub.*} key; others under that prefix are errors. */
    public static final List<String> KEYS = List.of(URL_KEY, CONNECT_TIMEOUT_KEY, READ_TIMEOUT_KEY);
    /** The environment variable holding the token for gated or private repositories. */
    public static final String TOKEN_ENV = "HF_TOKEN";
    /** The public hub. */
    public static final String DEFAULT_URL = "https://huggingface.co";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

    public HubSettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(token, "token");
    }

    /**
     * Reads the {@code snowcrash.hub.*} keys and the token, reporting every problem at once.
     *
     * @param settings    the configuration
     * @param environment the process environment (injected, so tests never touch the real one)
     * @throws org.snowcrash.api.ConfigurationException listing every problem
     */
    public static HubSettings from(Settings settings, Map<String, String> environment) {
        SettingsReader r = settings.reader();
        r.rejectUnknown("snowcrash.hub.", KEYS);
        String raw = r.string(URL_KEY, DEFAULT_URL);
        URI url = URI.create(DEFAULT_URL);
        try {
            URI u = new URI(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                    || u.getHost() == null || u.getQuery() != null || u.getFragment() != null || u.getUserInfo() != null) {
                r.problem(URL_KEY, raw, "must be an http or https address such as " + DEFAULT_URL
                        + " (no user, query or fragment)");
            } else {
                url = u;
            }
        } catch (URISyntaxException e) {
            r.problem(URL_KEY, raw, "is not a valid address: " + e.getMessage());
        }
        Duration connect = r.duration(CONNECT_TIMEOUT_KEY, DEFAULT_CONNECT_TIMEOUT);
        Duration read = r.duration(READ_TIMEOUT_KEY, DEFAULT_READ_TIMEOUT);
        r.throwIfProblems();
        Optional<String> token = Optional.ofNullable(environment.get(TOKEN_ENV)).map(String::trim).filter(s -> !s.isEmpty());
        return new HubSettings(url, connect, read, token);
    }

    /** Never prints the token, only whether there is one. */
    @Override
    public String toString() {
        return "HubSettings[url=" + url + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout
                + ", token=" + (token.isPresent() ? "(set)" : "(none)") + "]";
    }
}
