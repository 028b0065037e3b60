package org.snowcrash.backend.remote;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.Availability;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.BackendStartException;
import org.snowcrash.api.Capability;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.LlmBackend;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.SessionInfo;
import org.snowcrash.api.StartFailure;
import org.snowcrash.backend.remote.EndpointsRefused.Reason;
import org.snowcrash.backend.remote.EndpointsRefused.Refusal;

import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * Serves models from OpenAI-compatible servers that others run (llama-server, vLLM, Ollama, any
 * of them behind a gateway or a Kubernetes Service), listed in {@code backend.remote.endpoints}.
 * Nothing is started or stopped there: "start" means choosing the endpoints that serve the model.
 *
 * <p>Id {@code remote}, default priority 30: when endpoints are configured it is tried before the
 * Docker backend (20) and the in-process one (10), which take over when the servers cannot be
 * reached. Unconfigured, it is unavailable and says how to configure it.
 *
 * <ul>
 *   <li>{@link #availability}: at least one endpoint answers {@code GET <base>/models}, all asked
 *       at once, each bounded by {@code backend.remote.connect-timeout}; endpoints cooling down
 *       after a failure are not asked.</li>
 *   <li>{@link #start}: every endpoint not cooling down is asked for its model list; the model
 *       ({@code model.<id>.remote-name}, default the id) must be on it somewhere. A wrong API key
 *       (401), a TLS handshake that fails, a server that serves other models, or no server
 *       answering is a typed {@link EndpointsRefused} naming each endpoint and what
 *       it answered, and the fallback chain moves on.</li>
 * </ul>
 *
 * <p>Each endpoint has a {@link CircuitBreaker}, kept by this backend instance and shared by every
 * model it serves: a hard failure (refused, reset, timed out, 5xx) cools it down for
 * {@code backend.remote.cooldown}; then one request re-tests it. Thread-safe.
 */
public final class RemoteBackend implements LlmBackend {

    /** This backend's id. */
    public static final String ID = "remote";

    private static final Logger LOG = LoggerFactory.getLogger(RemoteBackend.class);

    private final LongSupplier clock;
    private final Map<EndpointKey, Endpoint> endpoints = new ConcurrentHashMap<>();
    private volatile OkHttpClient base;
    private volatile Set<Capability> declared = RemoteSettings.DEFAULT_CAPABILITIES;

    /** Identity of an endpoint's health record: its URL, and the cool-down its breaker was made with. */
    private record EndpointKey(String url, Duration cooldown) {
    }

    /** For ServiceLoader; does nothing. */
    public RemoteBackend() {
        this(System::nanoTime);
    }

    /** With a clock of its own (nanoseconds), so tests can pass a cool-down without waiting. */
    RemoteBackend(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int defaultPriority() {
        return 30;
    }

    /**
     * {@code tools} and {@code json-schema} by default: an OpenAI-compatible server takes
     * {@code tools}, {@code tool_choice} and {@code response_format}, and the runtime checks every
     * answer against its request, so a server that ignores them yields a typed
     * {@link org.snowcrash.api.ChatFailure.InvalidAnswer}, never a wrong answer handed on.
     * {@code backend.remote.capabilities} declares fewer; this answers with what the settings of the
     * last {@code availability} or {@code start} call said (one configuration per process).
     */
    @Override
    public Set<Capability> capabilities() {
        return declared;
    }

    /** {@code remote-name}: the name a server serves the model under (default the model's id). */
    @Override
    public Set<String> modelSettings() {
        return Set.of("remote-name");
    }

    @Override
    public Availability availability(BackendContext context) {
        RemoteSettings s;
        OkHttpClient http;
        try {
            s = RemoteSettings.from(context.settings());
            declared = s.capabilities();
            if (!s.configured()) {
                return Availability.notConfigured(howToConfigure());
            }
            http = Transport.forSettings(base(), s);
        } catch (ConfigurationException | IOException e) {
            return Availability.unavailable(e.getMessage());
        }
        List<Endpoint> all = endpoints(s);
        Map<Endpoint, Endpoint.Lease> leases = new LinkedHashMap<>();
        List<String> why = new ArrayList<>();
        for (Endpoint e : all) {
            e.lease().ifPresentOrElse(l -> leases.put(e, l), () -> why.add(e.url() + ": " + e.describeHealth()));
        }
        try {
            Map<String, ModelsAnswer> answers = ModelsCall.fetch(http, leases.keySet().stream().map(Endpoint::url).toList(),
                    s.apiKey(), s.connectTimeout());
            boolean any = false;
            for (Map.Entry<Endpoint, Endpoint.Lease> en : leases.entrySet()) {
                ModelsAnswer a = answers.get(en.getKey().url());
                if (ModelCheck.health(a) == ModelCheck.Health.ANSWERED) {
                    en.getValue().succeeded();
                    any = true;
                } else {
                    String what = ((ModelCheck.Outcome.Refused) ModelCheck.forModel(en.getKey().url(), a, "", "",
                            s.connectTimeout())).refusal().answer();
                    en.getValue().failed(what);
                    why.add(en.getKey().url() + ": " + what);
                }
            }
            return any ? Availability.available() : Availability.unavailable("no endpoint answers: " + String.join("; ", why));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            leases.values().forEach(Endpoint.Lease::released);
            return Availability.unavailable("interrupted while asking the endpoints");
        } finally {
            leases.values().forEach(Endpoint.Lease::close);
        }
    }

    @Override
    public ModelSession start(ModelSpec spec, BackendContext context) throws BackendStartException {
        RemoteSettings s;
        OkHttpClient http;
        try {
            s = RemoteSettings.from(context.settings());
            declared = s.capabilities();
            http = Transport.forSettings(base(), s);
        } catch (ConfigurationException | IOException e) {
            throw new BackendStartException(ID, spec.id(), new StartFailure.Other(e.getMessage()), e);
        }
        if (!s.configured()) {
            throw new BackendStartException(ID, spec.id(), new StartFailure.RuntimeUnavailable("no endpoints configured: " + howToConfigure()));
        }
        warnAboutCleartextKeys(s);
        String name = RemoteSettings.remoteName(context.settings(), spec.id());
        List<Endpoint> all = endpoints(s);
        Map<Endpoint, Endpoint.Lease> leases = new LinkedHashMap<>();
        Map<Endpoint, Refusal> refusals = new LinkedHashMap<>();
        for (Endpoint e : all) {
            Optional<Endpoint.Lease> l = e.lease();
            if (l.isPresent()) {
                leases.put(e, l.get());
            } else {
                refusals.put(e, new Refusal(e.url(), Reason.COOLING_DOWN, e.describeHealth()));
            }
        }
        Set<Endpoint> served = new LinkedHashSet<>();
        Set<Endpoint> unverified = new LinkedHashSet<>(refusals.keySet()); // cooling down: may come back
        int contextSize = 0;
        Duration bound = checkBound(s);
        try {
            context.events().publish(new LifecycleEvent.Progress(ID, spec.id(), "asking " + leases.keySet()
                    + " for model '" + name + "'"));
            Map<String, ModelsAnswer> answers = ModelsCall.fetch(http, leases.keySet().stream().map(Endpoint::url).toList(),
                    s.apiKey(), bound);
            for (Map.Entry<Endpoint, Endpoint.Lease> en : leases.entrySet()) {
                Endpoint e = en.getKey();
                ModelsAnswer a = answers.get(e.url());
                ModelCheck.Outcome o = ModelCheck.forModel(e.url(), a, name, spec.id(), bound);
                if (o instanceof ModelCheck.Outcome.Served sv) {
                    en.getValue().succeeded();
                    served.add(e);
                    int ctx = sv.model().contextSize();
                    contextSize = ctx > 0 && (contextSize == 0 || ctx < contextSize) ? ctx : contextSize;
                    continue;
                }
                Refusal r = ((ModelCheck.Outcome.Refused) o).refusal();
                refusals.put(e, r);
                if (ModelCheck.health(a) == ModelCheck.Health.HARD_FAILURE) {
                    en.getValue().failed(r.answer());
                    unverified.add(e);
                } else {
                    en.getValue().succeeded();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            leases.values().forEach(Endpoint.Lease::released);
            throw new BackendStartException(ID, spec.id(), new StartFailure.Interrupted(), e);
        } finally {
            leases.values().forEach(Endpoint.Lease::close);
        }
        if (served.isEmpty()) {
            List<Refusal> inOrder = all.stream().map(refusals::get).toList();
            throw new BackendStartException(ID, spec.id(), new EndpointsRefused(inOrder));
        }
        for (Refusal r : refusals.values()) {
            LOG.warn("endpoint {} does not serve model {} now: {}", r.endpoint(), spec.id(), r.answer());
        }
        // The servers say what context they run the model with; the spec's is only a guess for them.
        int ctx = contextSize > 0 ? contextSize : spec.contextSize();
        String detail = "model '" + name + "' at " + served.stream().map(Endpoint::url).toList()
                + (unverified.isEmpty() ? "" : ", later maybe " + unverified.stream().map(Endpoint::url).toList());
        context.events().publish(new LifecycleEvent.Progress(ID, spec.id(), "served at " + served.stream()
                .map(Endpoint::url).toList()));
        return new RemoteSession(new SessionInfo(ID, spec.id(), ctx, detail), name, s, http, all, served, unverified);
    }

    /** How long the start's model check (and a session's re-check) of one endpoint may take as a whole. */
    static Duration checkBound(RemoteSettings s) {
        // Connecting is bounded by the connect timeout; a server that then stays silent for
        // 10 s on a model list is not one to start on.
        return s.connectTimeout().plus(Duration.ofSeconds(10));
    }

    private List<Endpoint> endpoints(RemoteSettings s) {
        List<Endpoint> list = new ArrayList<>();
        for (String url : s.endpoints()) {
            list.add(endpoints.computeIfAbsent(new EndpointKey(url, s.cooldown()), k -> new Endpoint(url, s.cooldown(), clock)));
        }
        return list;
    }

    /** The health record of an endpoint this backend has used (for tests and diagnostics). */
    Optional<Endpoint> endpointAt(String url) {
        return endpoints.values().stream().filter(e -> e.url().equals(url)).findFirst();
    }

    private static String howToConfigure() {
        return "set " + RemoteSettings.PREFIX + "endpoints to the base URLs of"
                + " OpenAI-compatible servers, e.g. http://gpu1:8080/v1,http://gpu2:8080/v1";
    }

    /** An API key sent in clear text over a network is readable by anyone on it: say so, once per start. */
    private static void warnAboutCleartextKeys(RemoteSettings s) {
        if (s.apiKey().isEmpty()) {
            return;
        }
        for (String url : s.endpoints()) {
            HttpUrl u = HttpUrl.parse(url);
            if (u != null && !u.isHttps() && !isLoopback(u.host())) {
                LOG.warn("the API key goes to {} in clear text (http, not https): anyone on that network can read it",
                        url);
            }
        }
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    private OkHttpClient base() {
        OkHttpClient b = base;
        if (b == null) {
            synchronized (this) {
                b = base;
                if (b == null) {
                    b = Transport.base();
                    base = b;
                }
            }
        }
        return b;
    }
}
