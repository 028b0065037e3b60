package org.snowcrash.api;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One request to a running model.
 *
 * @param messages    the conversation, oldest first; at most one system message, and it comes first
 * @param maxTokens   the most tokens to generate (at least 1)
 * @param temperature sampling temperature, empty for the backend's default
 * @param seed        sampling seed, empty for a random one
 * @param stop        strings that end generation when produced
 */
public record ChatRequest(
        List<ChatMessage> messages,
        int maxTokens,
        OptionalDouble temperature,
        OptionalLong seed,
        List<String> stop) {

    public ChatRequest {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(temperature, "temperature");
        Objects.requireNonNull(seed, "seed");
        Objects.requireNonNull(stop, "stop");
        messages = List.copyOf(messages);
        stop = List.copyOf(stop);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request needs at least one message");
        }
        for (int i = 1; i < messages.size(); i++) {
            if (messages.get(i).role() == ChatMessage.Role.SYSTEM) {
                throw new IllegalArgumentException("the system message, if any, must come first");
            }
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
        }
        if (temperature.isPresent() && !(temperature.getAsDouble() >= 0 && temperature.getAsDouble() <= 10)) {
            throw new IllegalArgumentException("temperature must be between 0 and 10");
        }
    }

    /** A request with the backend's default sampling and no stop strings. */
    public static ChatRequest of(List<ChatMessage> messages, int maxTokens) {
        return new ChatRequest(messages, maxTokens, OptionalDouble.empty(), OptionalLong.empty(), List.of());
    }

    /** The same request with a fixed temperature. */
    public ChatRequest withTemperature(double t) {
        return new ChatRequest(messages, maxTokens, OptionalDouble.of(t), seed, stop);
    }

    /** The same request with a fixed seed. */
    public ChatRequest withSeed(long s) {
        return new ChatRequest(messages, maxTokens, temperature, OptionalLong.of(s), stop);
    }

    /** The same request with other messages. */
    public ChatRequest withMessages(List<ChatMessage> m) {
        return new ChatRequest(m, maxTokens, temperature, seed, stop);
    }
}
