package org.snowcrash.server;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.snowcrash.agent.pool.PooledModel;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolCallDelta;
import org.snowcrash.api.Usage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes what the server sends, in OpenAI's shapes (completions, chunks, usage, models, errors)
 * and in the shapes of the {@code snowcrash} extension (lifecycle events, sentences). Stateless
 * and thread-safe.
 */
final class OpenAiJson {

    private final ObjectMapper json;

    OpenAiJson(ObjectMapper json) {
        this.json = json;
    }

    /** Identifies one completion in every chunk of it. */
    record Completion(String id, long created, String model) {
    }

    /**
     * A whole answer: {@code object: chat.completion}. An answer that is calls has
     * {@code message.tool_calls} ({@code [{id, type: "function", function: {name, arguments}}]}) and
     * {@code content} null when the model said nothing besides; a reasoning model's thinking is
     * {@code message.reasoning_content}, apart from the content.
     */
    String completion(Completion c, Optional<String> backend, ChatResponse r) {
        ObjectNode root = head(c, "chat.completion", backend);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        if (r.hasToolCalls() && r.text().isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", r.text());
        }
        if (!r.reasoning().isEmpty()) {
            message.put("reasoning_content", r.reasoning());
        }
        if (r.hasToolCalls()) {
            ArrayNode calls = message.putArray("tool_calls");
            for (ToolCall call : r.toolCalls()) {
                ObjectNode o = calls.addObject().put("id", call.id()).put("type", "function");
                o.putObject("function").put("name", call.name()).put("arguments", call.arguments());
            }
        }
        message.putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(r.finishReason()));
        usage(root, r.usage());
        return write(root);
    }

    /**
     * One streamed piece: {@code object: chat.completion.chunk} with a delta. With
     * {@code include_usage} every chunk but the last carries {@code "usage": null}, as OpenAI's do.
     */
    String chunk(Completion c, Optional<String> backend, boolean role, String content, FinishReason finish,
                 boolean includeUsage) {
        return chunk(c, backend, includeUsage, finish, delta -> {
            if (role) {
                delta.put("role", "assistant");
            }
            if (content != null) {
                delta.put("content", content);
            }
        });
    }

    /**
     * A piece of a tool call: {@code delta.tool_calls[{index, id, type, function: {name, arguments}}]}
     * with the id, type and name in the first piece of a call (and its arguments, empty or a first
     * fragment), only {@code index} and an argument fragment after, as OpenAI streams them.
     */
    String toolCallChunk(Completion c, Optional<String> backend, ToolCallDelta d, boolean includeUsage) {
        return chunk(c, backend, includeUsage, null, delta -> {
            ObjectNode call = delta.putArray("tool_calls").addObject().put("index", d.index());
            if (d.opensCall()) {
                call.put("id", d.id()).put("type", "function");
                call.putObject("function").put("name", d.name()).put("arguments", d.arguments());
            } else {
                call.putObject("function").put("arguments", d.arguments());
            }
        });
    }

    /** A piece of a reasoning model's thinking: {@code delta.reasoning_content}, never {@code content}. */
    String reasoningChunk(Completion c, Optional<String> backend, String piece, boolean includeUsage) {
        return chunk(c, backend, includeUsage, null, delta -> delta.put("reasoning_content", piece));
    }

    private String chunk(Completion c, Optional<String> backend, boolean includeUsage, FinishReason finish,
                         java.util.function.Consumer<ObjectNode> fill) {
        ObjectNode root = head(c, "chat.completion.chunk", backend);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        fill.accept(choice.putObject("delta"));
        choice.putNull("logprobs");
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason(finish));
        }
        if (includeUsage) {
            root.putNull("usage");
        }
        return write(root);
    }

    /** The last chunk asked for by {@code stream_options.include_usage}: no choices, the usage. */
    String usageChunk(Completion c, Optional<String> backend, Usage u) {
        ObjectNode root = head(c, "chat.completion.chunk", backend);
        root.putArray("choices");
        usage(root, u);
        return write(root);
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

    private ObjectNode head(Completion c, String object, Optional<String> backend) {
        ObjectNode root = json.createObjectNode();
        root.put("id", c.id());
        root.put("object", object);
        root.put("created", c.created());
        root.put("model", c.model());
        // OpenAI: "the backend configuration that the model runs with" -- here, the backend.
        backend.ifPresentOrElse(b -> root.put("system_fingerprint", b), () -> root.putNull("system_fingerprint"));
        return root;
    }

    private static void usage(ObjectNode root, Usage u) {
        root.putObject("usage").put("prompt_tokens", u.promptTokens()).put("completion_tokens", u.completionTokens())
                .put("total_tokens", u.totalTokens());
    }

    private static String finishReason(FinishReason f) {
        return switch (f) {
            case LENGTH -> "length";
            case TOOL_CALLS -> "tool_calls";
            case STOP, CANCELLED -> "stop";
        };
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
