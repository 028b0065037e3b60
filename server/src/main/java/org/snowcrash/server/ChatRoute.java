package org.snowcrash.server;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code POST /v1/chat/completions} on Jetty's own handler API, in front of the Javalin
 * application, which serves every other route. This one route is on the way to every first token
 * and carries every streamed token, so it skips the layers Javalin needs for the rest: the
 * servlet context, its session handler, the statistics handler that copies every write, and
 * Javalin's routing and lifecycle. Measured in docs/performance.md. The key check and the errors
 * are the same as the other routes' ({@link Routes#refusal}).
 *
 * <p>Requests are handled on Jetty's request threads, which may block (the generation does).
 */
final class ChatRoute extends Handler.Wrapper {

    static final String PATH = "/v1/chat/completions";

    private final ApiKey key;
    private final ChatCompletions chat;
    private final OpenAiJson json;

    ChatRoute(ApiKey key, ChatCompletions chat, OpenAiJson json) {
        this.key = key;
        this.chat = chat;
        this.json = json;
    }

    /** Blocking, whatever the handler behind it says: a request's thread waits for the whole generation. */
    @Override
    public InvocationType getInvocationType() {
        return InvocationType.BLOCKING;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!PATH.equals(Request.getPathInContext(request)) || !"POST".equals(request.getMethod())) {
            return super.handle(request, response, callback);
        }
        JettyExchange exchange = new JettyExchange(request, response);
        try {
            java.util.Optional<OpenAiError> refused = Routes.refusal(exchange.header("Authorization"), key);
            if (refused.isPresent()) {
                exchange.header("WWW-Authenticate", Routes.CHALLENGE);
                exchange.error(refused.get(), json.error(refused.get()));
            } else {
                chat.handle(exchange);
            }
            exchange.end();
            callback.succeeded();
        } catch (Throwable t) {
            callback.failed(t); // the client went away, or a defect: Jetty ends the exchange
        }
        return true;
    }
}
