package org.snowcrash.api;

import java.util.List;
import java.util.Objects;

/**
 * One message of a conversation.
 *
 * <p>Besides text, an {@linkplain Role#ASSISTANT assistant} message may hold the tool calls the
 * model made, and a {@linkplain Role#TOOL tool} message is the result of one call, tied to it by
 * {@link #toolCallId()}. {@link ChatRequest} checks that every tool message answers a call made
 * earlier in its conversation.
 *
 * @param role       who speaks
 * @param content    what is said; may be empty, never {@code null}
 * @param toolCalls  the calls an assistant message made, in order; empty for every other role
 * @param toolCallId the id of the call a tool message answers; empty for every other role
 */
public record ChatMessage(Role role, String content, List<ToolCall> toolCalls, String toolCallId) {

    /** Who speaks a message, as the OpenAI chat API names them. */
    public enum Role {
        SYSTEM, USER, ASSISTANT, TOOL;

        /** The wire name: {@code system}, {@code user}, {@code assistant}, {@code tool}. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(toolCalls, "toolCalls");
        Objects.requireNonNull(toolCallId, "toolCallId");
        toolCalls = List.copyOf(toolCalls);
        if (!toolCalls.isEmpty() && role != Role.ASSISTANT) {
            throw new IllegalArgumentException("only an assistant message holds tool calls, not a " + role.wireName() + " message");
        }
        if (role == Role.TOOL && toolCallId.isBlank()) {
            throw new IllegalArgumentException("a tool message needs the id of the call it answers");
        }
        if (role != Role.TOOL && !toolCallId.isEmpty()) {
            throw new IllegalArgumentException("only a tool message answers a call, not a " + role.wireName() + " message");
        }
    }

    /** A text message. */
    public ChatMessage(Role role, String content) {
        this(role, content, List.of(), "");
    }

    public static ChatMessage system(String content) { return new ChatMessage(Role.SYSTEM, content); }
    public static ChatMessage user(String content) { return new ChatMessage(Role.USER, content); }
    public static ChatMessage assistant(String content) { return new ChatMessage(Role.ASSISTANT, content); }

    /** The assistant's turn that made these calls (with the text said before them, often empty). */
    public static ChatMessage assistant(String content, List<ToolCall> calls) {
        return new ChatMessage(Role.ASSISTANT, content, calls, "");
    }

    /** The result of the call with this id. */
    public static ChatMessage toolResult(String toolCallId, String content) {
        return new ChatMessage(Role.TOOL, content, List.of(), toolCallId);
    }

    /** Whether this is an assistant message that made calls. */
    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }
}
