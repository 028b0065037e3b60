package org.snowcrash.backend.remote;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolSpec;

/**
 * An upper bound on a prompt's tokens for servers that cannot count them (vLLM and Ollama have no
 * llama-server {@code /tokenize}): so a context budget built on it trims early rather than
 * overflows. Stateless.
 */
final class PromptBound {

    private PromptBound() {
    }

    /** Bytes are an upper bound on tokens for byte-level vocabularies; 8 per message covers the template's markers. */
    static int of(List<ChatMessage> messages) {
        return of(messages, List.of());
    }

    /**
     * As {@link #of(List)}, counting each call's name and arguments, and each tool's name,
     * description and schema text plus 32 bytes for the wrapping a template puts around it.
     */
    static int of(List<ChatMessage> messages, List<ToolSpec> tools) {
        long n = 8;
        for (ChatMessage m : messages) {
            n += 8 + bytes(m.content()) + bytes(m.toolCallId());
            for (ToolCall c : m.toolCalls()) {
                n += 32 + bytes(c.id()) + bytes(c.name()) + bytes(c.arguments());
            }
        }
        for (ToolSpec t : tools) {
            n += 32 + bytes(t.name()) + bytes(t.description()) + bytes(t.parameters().json());
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    private static long bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
