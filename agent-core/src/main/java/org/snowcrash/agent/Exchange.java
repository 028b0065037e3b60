package org.snowcrash.agent;

import java.util.List;

import org.snowcrash.api.ChatMessage;

/**
 * A finished exchange of an {@link Agent}'s conversation: the question, the tool calls and results
 * it led to, the answer, and what they cost in a prompt (counted once, by the serving backend's
 * tokenizer).
 */
record Exchange(List<ChatMessage> messages, int tokens) {
    Exchange {
        messages = List.copyOf(messages);
    }
}
