package org.snowcrash.backend.remote;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.openai.OpenAiClient;

import okhttp3.OkHttpClient;

/**
 * A remote session's endpoints as they stand for its model: each with its client, whether it was
 * seen serving the model, and whether it has llama-server's tokenizer. An endpoint that was down
 * at start is checked on its first use ({@link #verify}, which is also its re-test); one that
 * answered but refused the model is left out for the session's life.
 */
final class Members {

    private static final Logger LOG = LoggerFactory.getLogger(Members.class);

    /** Where an endpoint stands for this session's model. */
    enum Standing {
        /** It listed the model at start or since. */
        VERIFIED,
        /** It could not be asked at start (down or cooling down): checked on its first use. */
        UNVERIFIED,
        /** It answered and does not serve the model for us (wrong key, TLS, another model): never used. */
        REFUSED
    }

    /** One endpoint of the session. */
    static final class Member {
        final Endpoint endpoint;
        final OpenAiClient client;
        volatile Standing standing;
        /** Set once the server showed it has no llama-server tokenizer endpoints. */
        volatile boolean noTokenizer;

        Member(Endpoint endpoint, OpenAiClient client, Standing standing) {
            this.endpoint = endpoint;
            this.client = client;
            this.standing = standing;
        }
    }

    private final String modelId;
    private final String remoteName;
    private final String detail;
    private final RemoteSettings settings;
    private final OkHttpClient http;
    private final Map<Endpoint, Member> members;

    /**
     * @param verified   endpoints that listed the model at start
     * @param unverified endpoints that could not be asked (they may come back)
     */
    Members(String modelId, String remoteName, String detail, RemoteSettings settings, OkHttpClient http,
            List<Endpoint> all, Set<Endpoint> verified, Set<Endpoint> unverified) {
        this.modelId = modelId;
        this.remoteName = remoteName;
        this.detail = detail;
        this.settings = settings;
        this.http = http;
        Map<Endpoint, Member> m = new LinkedHashMap<>();
        for (Endpoint e : all) {
            Standing s = verified.contains(e) ? Standing.VERIFIED : unverified.contains(e) ? Standing.UNVERIFIED : Standing.REFUSED;
            m.put(e, new Member(e, client(e), s));
        }
        this.members = m;
    }

    private OpenAiClient client(Endpoint e) {
        return OpenAiClient.builder(http, RemoteBackend.ID, e.url()).apiKey(settings.apiKey().orElse(null))
                .model(remoteName).where("model " + modelId + ", " + e.url())
                .connectTimeout(settings.connectTimeout()).idleTimeout(settings.idleTimeout())
                .requestTimeout(settings.requestTimeout()).build();
    }

    Member of(Endpoint e) {
        return members.get(e);
    }

    /** Whether requests may go to the endpoint (it has not refused the model). */
    boolean mayServe(Endpoint e) {
        return members.get(e).standing != Standing.REFUSED;
    }

    /** The endpoints that may serve and whose breaker lets requests through now. */
    List<String> usableUrls() {
        List<String> urls = new ArrayList<>();
        for (Member m : members.values()) {
            if (m.standing != Standing.REFUSED && m.endpoint.breaker().snapshot().usable()) {
                urls.add(m.endpoint.url());
            }
        }
        return urls;
    }

    /** Checks that an endpoint not seen at start serves the model; that check is its re-test. */
    boolean verify(Member m, Endpoint.Lease lease) {
        Duration bound = RemoteBackend.checkBound(settings);
        ModelsAnswer answer;
        try {
            answer = ModelsCall.fetch(http, List.of(m.endpoint.url()), settings.apiKey(), bound).get(m.endpoint.url());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lease.released();
            throw new ChatException(RemoteBackend.ID, detail, new ChatFailure.Other("interrupted"), e);
        }
        ModelCheck.Outcome outcome = ModelCheck.forModel(m.endpoint.url(), answer, remoteName, modelId, bound);
        if (outcome instanceof ModelCheck.Outcome.Served) {
            lease.succeeded();
            m.standing = Standing.VERIFIED;
            LOG.info("endpoint {} serves model {} again", m.endpoint.url(), modelId);
            return true;
        }
        String why = ((ModelCheck.Outcome.Refused) outcome).refusal().answer();
        if (ModelCheck.health(answer) == ModelCheck.Health.HARD_FAILURE) {
            lease.failed(why);
        } else {
            lease.succeeded();
            m.standing = Standing.REFUSED;
            LOG.warn("endpoint {} answers but does not serve model {}: {}", m.endpoint.url(), modelId, why);
        }
        return false;
    }

    /** Per endpoint, why it cannot take a request now: {@code url: why; url: why}. */
    String describeEach() {
        StringBuilder why = new StringBuilder();
        String sep = "";
        for (Member m : members.values()) {
            why.append(sep).append(m.endpoint.url()).append(": ").append(m.standing == Standing.REFUSED
                    ? "does not serve the model for us" : m.endpoint.describeHealth());
            sep = "; ";
        }
        return why.toString();
    }
}
