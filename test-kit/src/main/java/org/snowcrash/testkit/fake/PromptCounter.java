package org.snowcrash.testkit.fake;

import java.util.List;

import org.snowcrash.api.ChatMessage;

/**
 * How a {@link FakeBackend} counts prompt tokens: its "tokenizer". The count is also the prompt
 * part of every answer's usage, as llama-server and llama.cpp report the exact prompt count.
 */
@FunctionalInterface
public interface PromptCounter {

    /** The prompt tokens of these messages. */
    int count(List<ChatMessage> messages);

    /** Every prompt costs {@code n} tokens: for tests where counts do not matter. */
    static PromptCounter fixed(int n) {
        return messages -> n;
    }

    /** One token per message. */
    static PromptCounter perMessage() {
        return List::size;
    }

    /**
     * One token per character of each message's content and tool calls plus four per message, so
     * budgets are easy to reason about.
     */
    static PromptCounter characters() {
        return messages -> messages.stream().mapToInt(m -> m.content().length() + 4
                + m.toolCalls().stream().mapToInt(c -> c.name().length() + c.arguments().length()).sum()).sum();
    }

    /**
     * A chat template of the usual shape: BOS (1 token), per message 3 tokens of template plus
     * {@code perWord} tokens per word, then the generation prompt (2 tokens); a prompt of three
     * messages or more costs {@code surprise} tokens more, which a sum of per-message counts
     * cannot see.
     */
    static PromptCounter template(int perWord, int surprise) {
        return messages -> {
            int n = 1 + 2;
            for (ChatMessage m : messages) {
                String t = m.content().strip();
                n += 3 + perWord * (t.isEmpty() ? 0 : t.split("\\s+").length);
            }
            return n + (messages.size() >= 3 ? surprise : 0);
        };
    }
}
