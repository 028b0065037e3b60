package org.snowcrash.api;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One request to a running model.
 *
 * <p>Invariants, checked here so that no backend meets a request that breaks them: at most one
 * system message and it comes first; every tool message answers a call made by an earlier assistant
 * message; tool names are unique; a tool choice that forces a call has tools to call, and a named
 * choice names one of them.
 *
 * @param messages          the conversation, oldest first
 * @param maxTokens         the most tokens to generate (at least 1)
 * @param temperature       sampling temperature, empty for the backend's default
 * @param seed              sampling seed, empty for a random one
 * @param stop              strings that end generation when produced
 * @param tools             the functions the model may call; empty for none
 * @param toolChoice        whether and which tool must be called ({@link ToolChoice#AUTO} by default)
 * @param parallelToolCalls whether one answer may hold several calls (the OpenAI default: yes)
 * @param responseFormat    the form a text answer must take ({@link ResponseFormat#TEXT} by default)
 */
public record ChatRequest(
        List<ChatMessage> messages,
        int maxTokens,
        OptionalDouble temperature,
        OptionalLong seed,
        List<String> stop,
        List<ToolSpec> tools,
        ToolChoice toolChoice,
        boolean parallelToolCalls,
        ResponseFormat responseFormat) {

    public ChatRequest {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(temperature, "temperature");
        Objects.requireNonNull(seed, "seed");
        Objects.requireNonNull(stop, "stop");
        Objects.requireNonNull(tools, "tools");
        Objects.requireNonNull(toolChoice, "toolChoice");
        Objects.requireNonNull(responseFormat, "responseFormat");
        messages = List.copyOf(messages);
        stop = List.copyOf(stop);
        tools = List.copyOf(tools);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request needs at least one message");
        }
        Set<String> callIds = new HashSet<>();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (i > 0 && m.role() == ChatMessage.Role.SYSTEM) {
                throw new IllegalArgumentException("the system message, if any, must come first");
            }
            for (ToolCall call : m.toolCalls()) {
                callIds.add(call.id());
            }
            if (m.role() == ChatMessage.Role.TOOL && !callIds.contains(m.toolCallId())) {
                throw new IllegalArgumentException("messages[" + i + "]: the tool message answers call '" + m.toolCallId()
                        + "', which no earlier assistant message made");
            }
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
        }
        if (temperature.isPresent() && !(temperature.getAsDouble() >= 0 && temperature.getAsDouble() <= 10)) {
            throw new IllegalArgumentException("temperature must be between 0 and 10");
        }
        Set<String> names = new HashSet<>();
        for (ToolSpec t : tools) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("two tools are named '" + t.name() + "'");
            }
        }
        if (toolChoice.forcesCall() && tools.isEmpty()) {
            throw new IllegalArgumentException("tool_choice " + toolChoice.describe() + " needs tools to call, and none are offered");
        }
        if (toolChoice instanceof ToolChoice.Named n && !names.contains(n.name())) {
            throw new IllegalArgumentException("tool_choice names function '" + n.name() + "', which is not among the tools offered "
                    + names.stream().sorted().toList());
        }
    }

    /** A plain request: no tools, free text. */
    public ChatRequest(List<ChatMessage> messages, int maxTokens, OptionalDouble temperature, OptionalLong seed, List<String> stop) {
        this(messages, maxTokens, temperature, seed, stop, List.of(), ToolChoice.AUTO, true, ResponseFormat.TEXT);
    }

    /** A request with the backend's default sampling and no stop strings. */
    public static ChatRequest of(List<ChatMessage> messages, int maxTokens) {
        return new ChatRequest(messages, maxTokens, OptionalDouble.empty(), OptionalLong.empty(), List.of());
    }

    /** The same request with a fixed temperature. */
    public ChatRequest withTemperature(double t) {
        return new ChatRequest(messages, maxTokens, OptionalDouble.of(t), seed, stop, tools, toolChoice, parallelToolCalls, responseFormat);
    }

    /** The same request with a fixed seed. */
    public ChatRequest withSeed(long s) {
        return new ChatRequest(messages, maxTokens, temperature, OptionalLong.of(s), stop, tools, toolChoice, parallelToolCalls, responseFormat);
    }

    /** The same request with other messages. */
    public ChatRequest withMessages(List<ChatMessage> m) {
        return new ChatRequest(m, maxTokens, temperature, seed, stop, tools, toolChoice, parallelToolCalls, responseFormat);
    }

    /** The same request with other stop strings. */
    public ChatRequest withStop(List<String> s) {
        return new ChatRequest(messages, maxTokens, temperature, seed, s, tools, toolChoice, parallelToolCalls, responseFormat);
    }

    /** The same request with another token limit. */
    public ChatRequest withMaxTokens(int n) {
        return new ChatRequest(messages, n, temperature, seed, stop, tools, toolChoice, parallelToolCalls, responseFormat);
    }

    /** The same request offering these tools with this choice. */
    public ChatRequest withTools(List<ToolSpec> t, ToolChoice choice) {
        return new ChatRequest(messages, maxTokens, temperature, seed, stop, t, choice, parallelToolCalls, responseFormat);
    }

    /** The same request with parallel calls allowed or not. */
    public ChatRequest withParallelToolCalls(boolean parallel) {
        return new ChatRequest(messages, maxTokens, temperature, seed, stop, tools, toolChoice, parallel, responseFormat);
    }

    /** The same request with this response format. */
    public ChatRequest withResponseFormat(ResponseFormat format) {
        return new ChatRequest(messages, maxTokens, temperature, seed, stop, tools, toolChoice, parallelToolCalls, format);
    }

    /** Whether the model may (or must) answer with calls: tools offered and a choice other than {@code none}. */
    public boolean offersTools() {
        return !tools.isEmpty() && !(toolChoice instanceof ToolChoice.None);
    }

    /** The tool of this name, if offered. */
    public java.util.Optional<ToolSpec> tool(String name) {
        return tools.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** What a backend must honour to answer this request as asked. */
    public Set<Capability> requiredCapabilities() {
        Set<Capability> needs = EnumSet.noneOf(Capability.class);
        if (offersTools()) {
            needs.add(Capability.TOOLS);
        }
        if (responseFormat.isJson()) {
            needs.add(Capability.JSON_SCHEMA);
        }
        return needs;
    }
}
