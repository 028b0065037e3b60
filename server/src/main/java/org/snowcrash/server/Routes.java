package org.snowcrash.server;

import java.util.Map;
import java.util.Optional;

import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.agent.pool.ModelPool;
import org.snowcrash.agent.pool.PooledModel;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;

/**
 * The server's HTTP face on Javalin: the connector (host, port, idle timeout), the viewer's static
 * files with their security headers, the bearer key in front of {@code /v1/} and {@code /metrics},
 * every route, and every error in OpenAI's shape (Javalin's own refusals included). The chat route
 * is put in front of Javalin, on Jetty's own API ({@link ChatRoute}), with the same key check.
 */
final class Routes {

    /** The server's own log category, where operators look for failed requests. */
    private static final Logger LOG = LoggerFactory.getLogger(SnowcrashServer.class);
    private static final String VIEWER = "/org/snowcrash/server/viewer";
    /** The {@code WWW-Authenticate} header sent with a refusal. */
    static final String CHALLENGE = "Bearer realm=\"snowcrash\"";
    /** Nothing on the viewer's pages may come from anywhere but this server. */
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'";

    private Routes() {
    }

    /** The application, configured and not yet listening. */
    static Javalin app(ServeSettings settings, ApiKey key, ModelPool pool, InFlight inFlight, EventStream events,
                       Metrics metrics, ChatCompletions chat, OpenAiJson json, long created) {
    return Javalin.create(config -> {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        // The chat route in front of Javalin, which then serves every other route (see ChatRoute).
        config.jetty.modifyServer(server -> server.insertHandler(new ChatRoute(key, chat, json)));
        config.jetty.addConnector((server, http) -> {
            ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(http));
            c.setHost(settings.host());
            c.setPort(settings.port());
            c.setIdleTimeout(settings.idleTimeout().toMillis());
            return c;
        });
        config.staticFiles.add(files -> {
            files.hostedPath = "/";
            files.directory = VIEWER;
            files.location = Location.CLASSPATH;
            files.headers = Map.of("Cache-Control", "no-store", "Content-Security-Policy", CSP,
                    "X-Content-Type-Options", "nosniff", "Referrer-Policy", "no-referrer");
        });
        config.routes.before("/v1/*", ctx -> authorize(ctx, key));
        config.routes.before("/metrics", ctx -> authorize(ctx, key));
        config.routes.get("/health", ctx -> health(ctx, inFlight));
        config.routes.get("/metrics", ctx -> ctx.contentType(metrics.contentType()).result(metrics.scrape()));
        config.routes.get("/v1/models", ctx -> ctx.contentType("application/json")
                .result(json.models(pool.models(), created)));
        config.routes.get("/v1/models/{id}", ctx -> {
            PooledModel m = pool.models().stream().filter(x -> x.id().equals(ctx.pathParam("id"))).findFirst()
                    .orElseThrow(() -> new org.snowcrash.models.UnknownModelException(
                            "unknown model '" + ctx.pathParam("id") + "' (GET /v1/models lists them)"));
            ctx.contentType("application/json").result(json.write(json.model(m, created)));
        });
        config.routes.get("/v1/events", events);
        config.routes.exception(Exception.class, (e, ctx) -> {
            OpenAiError err = OpenAiError.from(e);
            if (err.status() >= 500) {
                LOG.warn("{} {} failed", ctx.method(), ctx.path(), e);
            }
            error(ctx, json, err);
        });
        // Javalin's own refusals (no such route, body too large, ...) in the same shape as ours.
        config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, json, new OpenAiError(
                e.getStatus(), e.getStatus() >= 500 ? OpenAiError.SERVER_ERROR : OpenAiError.INVALID_REQUEST,
                e.getStatus() == 404 ? "not_found" : "http_" + e.getStatus(), Optional.empty(), e.getMessage(),
                Optional.empty())));
    });
    }

    private static void authorize(Context ctx, ApiKey key) {
        Optional<OpenAiError> refused = refusal(ctx.header("Authorization"), key);
        if (refused.isPresent()) {
            ctx.header("WWW-Authenticate", CHALLENGE);
            throw new OpenAiError.Refused(refused.get());
        }
    }

    /** Why a request with this {@code Authorization} header is refused (401), or empty when its key is the server's. */
    static Optional<OpenAiError> refusal(String authorization, ApiKey key) {
        String presented = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).strip() : null;
        if (key.matches(presented)) {
            return Optional.empty();
        }
        return Optional.of(new OpenAiError(401, OpenAiError.INVALID_REQUEST, "invalid_api_key",
                Optional.empty(), (presented == null ? "missing API key: send Authorization: Bearer <key>"
                : "incorrect API key") + " (the key is in " + key.origin() + ")", Optional.empty()));
    }

    private static void health(Context ctx, InFlight inFlight) {
        boolean draining = inFlight.draining();
        ctx.status(draining ? 503 : 200).contentType("application/json")
                .result(draining ? "{\"status\":\"draining\"}" : "{\"status\":\"ok\"}");
    }

    private static void error(Context ctx, OpenAiJson json, OpenAiError err) {
        ctx.status(err.status()).contentType("application/json");
        err.retryAfterSeconds().ifPresent(s -> ctx.header("Retry-After", s));
        ctx.result(json.error(err));
    }
}
