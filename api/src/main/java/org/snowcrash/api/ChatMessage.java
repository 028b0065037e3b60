package org.snowcrash.api;

import java.util.Objects;

/**
 * One message of a conversation.
 *
 * @param role    who speaks
 * @param content what is said; may be empty, never {@code null}
 */
public record ChatMessage(Role role, String content) {

    /** Who speaks a message, as the OpenAI chat API names them. */
    public enum Role {
        SYSTEM, USER, ASSISTANT;

        /** The wire name: {@code system}, {@code user}, {@code assistant}. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) { return new ChatMessage(Role.SYSTEM, content); }
    public static ChatMessage user(String content) { return new ChatMessage(Role.USER, content); }
    public static ChatMessage assistant(String content) { return new ChatMessage(Role.ASSISTANT, content); }
}
