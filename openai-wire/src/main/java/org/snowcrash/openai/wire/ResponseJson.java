package org.snowcrash.openai.wire;

import static org.snowcrash.openai.wire.WireNames.*;

import java.util.Optional;
import java.util.function.Consumer;

import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolCallDelta;
import org.snowcrash.api.Usage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes an answer in OpenAI's shapes: the whole {@code chat.completion}, the streamed
 * {@code chat.completion.chunk}s (text, reasoning, tool-call pieces, the finish reason) and the
 * usage chunk. {@link ResponseReader} reads the same shapes back. Each answer and each chunk is one
 * small tree written at once. Stateless and thread-safe.
 */
public final class ResponseJson {

    private final ObjectMapper json;

    /** @param json the mapper that writes the trees (the server's own, so its settings apply) */
    public ResponseJson(ObjectMapper json) {
        this.json = json;
    }

    /**
     * A whole answer: {@code object: chat.completion}. An answer that is calls has
     * {@code message.tool_calls} ({@code [{id, type: "function", function: {name, arguments}}]}) and
     * {@code content} null when the model said nothing besides; a reasoning model's thinking is
     * {@code message.reasoning_content}, apart from the content.
     *
     * @param backend the {@code system_fingerprint}: the backend that served the answer, if known
     */
    public String completion(Completion c, Optional<String> backend, ChatResponse r) {
        ObjectNode root = head(c, CHAT_COMPLETION, backend);
        ObjectNode choice = root.putArray(CHOICES).addObject();
        choice.put(INDEX, 0);
        ObjectNode message = choice.putObject(MESSAGE).put(ROLE, "assistant");
        if (r.hasToolCalls() && r.text().isEmpty()) {
            message.putNull(CONTENT);
        } else {
            message.put(CONTENT, r.text());
        }
        if (!r.reasoning().isEmpty()) {
            message.put(REASONING_CONTENT, r.reasoning());
        }
        if (r.hasToolCalls()) {
            ArrayNode calls = message.putArray(TOOL_CALLS);
            for (ToolCall call : r.toolCalls()) {
                RequestJson.call(calls.addObject(), call);
            }
        }
        message.putNull(REFUSAL);
        choice.putNull(LOGPROBS);
        choice.put(FINISH_REASON, finishReason(r.finishReason()));
        usage(root, r.usage());
        return write(root);
    }

    /**
     * One streamed piece: {@code object: chat.completion.chunk} with a delta. With
     * {@code include_usage} every chunk but the last carries {@code "usage": null}, as OpenAI's do.
     *
     * @param role    whether the delta says {@code role: assistant} (the first chunk)
     * @param content the text piece, or null for none
     * @param finish  the finish reason of the last chunk, or null
     */
    public String chunk(Completion c, Optional<String> backend, boolean role, String content, FinishReason finish,
                        boolean includeUsage) {
        return chunk(c, backend, includeUsage, finish, delta -> {
            if (role) {
                delta.put(ROLE, "assistant");
            }
            if (content != null) {
                delta.put(CONTENT, content);
            }
        });
    }

    /**
     * The content chunks of one answer: what {@link #chunk} writes for a piece of text with no role
     * and no finish reason, the same JSON, for a fraction of the work. Everything in such a chunk
     * but its text is the same from the first piece to the last, so it is written once here, and
     * each piece is only escaped into place: on the way of every streamed token, a string escape
     * instead of a JSON tree and its serialization.
     */
    public ContentChunks contentChunks(Completion c, Optional<String> backend, boolean includeUsage) {
        String marker = "\u0001snowcrash-content\u0001";
        String whole = chunk(c, backend, false, marker, null, includeUsage);
        String quoted = new String(JsonStringEncoder.getInstance().quoteAsString(marker));
        // The last occurrence: the text comes after every field a caller names (id, model, backend).
        int at = whole.lastIndexOf(quoted);
        return new ContentChunks(whole.substring(0, at), whole.substring(at + quoted.length()));
    }

    /**
     * The JSON of one answer's content chunks around their text; see {@link #contentChunks}.
     *
     * @param before the chunk up to the text's opening quote's inside
     * @param after  the chunk from the text's closing quote
     */
    public record ContentChunks(String before, String after) {

        /** The chunk carrying {@code content}, escaped as Jackson escapes a string. */
        public String of(String content) {
            StringBuilder b = new StringBuilder(before.length() + content.length() + after.length() + 16).append(before);
            JsonStringEncoder.getInstance().quoteAsString(content, b);
            return b.append(after).toString();
        }
    }

    /**
     * A piece of a tool call: {@code delta.tool_calls[{index, id, type, function: {name, arguments}}]}
     * with the id, type and name in the first piece of a call (and its arguments, empty or a first
     * fragment), only {@code index} and an argument fragment after, as OpenAI streams them.
     */
    public String toolCallChunk(Completion c, Optional<String> backend, ToolCallDelta d, boolean includeUsage) {
        return chunk(c, backend, includeUsage, null, delta -> {
            ObjectNode call = delta.putArray(TOOL_CALLS).addObject().put(INDEX, d.index());
            if (d.opensCall()) {
                call.put(ID, d.id()).put(TYPE, FUNCTION_TYPE);
                call.putObject(FUNCTION).put(NAME, d.name()).put(ARGUMENTS, d.arguments());
            } else {
                call.putObject(FUNCTION).put(ARGUMENTS, d.arguments());
            }
        });
    }

    /** A piece of a reasoning model's thinking: {@code delta.reasoning_content}, never {@code content}. */
    public String reasoningChunk(Completion c, Optional<String> backend, String piece, boolean includeUsage) {
        return chunk(c, backend, includeUsage, null, delta -> delta.put(REASONING_CONTENT, piece));
    }

    private String chunk(Completion c, Optional<String> backend, boolean includeUsage, FinishReason finish,
                         Consumer<ObjectNode> fill) {
        ObjectNode root = head(c, CHAT_COMPLETION_CHUNK, backend);
        ObjectNode choice = root.putArray(CHOICES).addObject();
        choice.put(INDEX, 0);
        fill.accept(choice.putObject(DELTA));
        choice.putNull(LOGPROBS);
        if (finish == null) {
            choice.putNull(FINISH_REASON);
        } else {
            choice.put(FINISH_REASON, finishReason(finish));
        }
        if (includeUsage) {
            root.putNull(USAGE);
        }
        return write(root);
    }

    /** The last chunk asked for by {@code stream_options.include_usage}: no choices, the usage. */
    public String usageChunk(Completion c, Optional<String> backend, Usage u) {
        ObjectNode root = head(c, CHAT_COMPLETION_CHUNK, backend);
        root.putArray(CHOICES);
        usage(root, u);
        return write(root);
    }

    /**
     * OpenAI's name of a finish reason. A cancelled answer that still gets a last chunk ended as far
     * as its client is concerned: {@code stop}.
     */
    public static String finishReason(FinishReason f) {
        return switch (f) {
            case LENGTH -> "length";
            case TOOL_CALLS -> "tool_calls";
            case STOP, CANCELLED -> "stop";
        };
    }

    private String write(JsonNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always serializes", e);
        }
    }

    private ObjectNode head(Completion c, String object, Optional<String> backend) {
        ObjectNode root = json.createObjectNode();
        root.put(ID, c.id());
        root.put(OBJECT, object);
        root.put(CREATED, c.created());
        root.put(MODEL, c.model());
        // OpenAI: "the backend configuration that the model runs with" -- here, the backend.
        backend.ifPresentOrElse(b -> root.put(SYSTEM_FINGERPRINT, b), () -> root.putNull(SYSTEM_FINGERPRINT));
        return root;
    }

    private static void usage(ObjectNode root, Usage u) {
        root.putObject(USAGE).put(PROMPT_TOKENS, u.promptTokens()).put(COMPLETION_TOKENS, u.completionTokens())
                .put(TOTAL_TOKENS, u.totalTokens());
    }
}
