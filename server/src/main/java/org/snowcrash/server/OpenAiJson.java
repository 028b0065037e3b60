package org.snowcrash.server;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.snowcrash.agent.pool.PooledModel;
import org.snowcrash.api.LifecycleEvent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes what the server sends besides answers, in OpenAI's shapes (models, errors) and in the
 * shapes of the {@code snowcrash} extension (lifecycle events, sentences). Answers and their chunks
 * are openai-wire's {@link org.snowcrash.openai.wire.ResponseJson}, the JSON the client reads them
 * with. Stateless and thread-safe.
 */
final class OpenAiJson {

    private final ObjectMapper json;

    OpenAiJson(ObjectMapper json) {
        this.json = json;
    }

    /** {@code {"error": {...}}}, as a body or as a stream's last event. */
    String error(OpenAiError e) {
        ObjectNode root = json.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("message", e.message());
        err.put("type", e.type());
        if (e.param().isPresent()) {
            err.put("param", e.param().get());
        } else {
            err.putNull("param");
        }
        err.put("code", e.code());
        return write(root);
    }

    /** {@code GET /v1/models}: OpenAI's list, each model with a {@code snowcrash} object saying what it is doing. */
    String models(List<PooledModel> models, long created) {
        ObjectNode root = json.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        models.forEach(m -> data.add(model(m, created)));
        return write(root);
    }

    /** One model, as in {@link #models}. */
    ObjectNode model(PooledModel m, long created) {
        ObjectNode o = json.createObjectNode();
        o.put("id", m.id());
        o.put("object", "model");
        o.put("created", created);
        o.put("owned_by", "snowcrash");
        ObjectNode ext = o.putObject("snowcrash");
        ext.put("description", m.description());
        ext.put("state", m.state().name().toLowerCase(Locale.ROOT));
        m.backendId().ifPresentOrElse(b -> ext.put("backend", b), () -> ext.putNull("backend"));
        ext.put("in_flight", m.inFlight());
        ext.put("queued", m.queued());
        if (m.estimatedBytes().isPresent()) {
            ext.put("estimated_bytes", m.estimatedBytes().getAsLong());
        } else {
            ext.putNull("estimated_bytes");
        }
        m.lastUsed().ifPresentOrElse(t -> ext.put("last_used", t.toString()), () -> ext.putNull("last_used"));
        m.expiresAt().ifPresentOrElse(t -> ext.put("expires_at", t.toString()), () -> ext.putNull("expires_at"));
        ext.put("file_missing", m.fileMissing());
        m.suggestedSystem().ifPresentOrElse(t -> ext.put("suggested_system", t), () -> ext.putNull("suggested_system"));
        return o;
    }

    String write(JsonNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always serializes", e);
        }
    }

    /**
     * A lifecycle event as the extension sends it: {@code {"model","type","backend","message"}}
     * plus {@code took_ms} where the event has a duration. {@code type} is the event's name in
     * snake case ({@code starting}, {@code fallback}, {@code served_by}, {@code degraded}, ...).
     */
    String lifecycle(String modelId, LifecycleEvent e) {
        ObjectNode o = json.createObjectNode();
        o.put("model", modelId);
        o.put("type", snake(e.getClass().getSimpleName()));
        o.put("backend", e.backendId());
        String message;
        Duration took = null;
        if (e instanceof LifecycleEvent.Skipped s) {
            message = s.reason();
        } else if (e instanceof LifecycleEvent.Starting) {
            message = "starting";
        } else if (e instanceof LifecycleEvent.Progress p) {
            message = p.message();
        } else if (e instanceof LifecycleEvent.Ready r) {
            message = "ready";
            took = r.took();
        } else if (e instanceof LifecycleEvent.Failed f) {
            message = f.failure().describe();
            took = f.took();
        } else if (e instanceof LifecycleEvent.Fallback f) {
            message = f.reason();
        } else if (e instanceof LifecycleEvent.ServedBy) {
            message = "served by " + e.backendId();
        } else if (e instanceof LifecycleEvent.Degraded d) {
            message = d.reason();
        } else if (e instanceof LifecycleEvent.Unloaded u) {
            message = u.reason();
        } else {
            message = "stopped";
        }
        o.put("message", message);
        if (took != null) {
            o.put("took_ms", took.toMillis());
        }
        return write(o);
    }

    /** {@code {"model","backend"}}: which backend serves this answer. */
    String servedBy(String modelId, String backend) {
        return write(json.createObjectNode().put("model", modelId).put("backend", backend));
    }

    /** {@code {"index","text"}}: one finished sentence of the answer. */
    String sentence(int index, String text) {
        return write(json.createObjectNode().put("index", index).put("text", text));
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
