package org.snowcrash.langchain4j;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.ToolCall;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.output.TokenUsage;

/** Maps LangChain4j requests and responses to Snowcrash's and back. Stateless. */
final class Messages {

    private Messages() {
    }

    /**
     * A Snowcrash request from a LangChain4j one whose parameters are already merged with the
     * model's defaults: system messages are joined into the one system prompt Snowcrash allows,
     * first; user, AI and tool-result messages keep their order; an AI message's tool execution
     * requests become the assistant message's calls and a tool result answers its call by id.
     *
     * @param defaultMaxTokens used only when a caller skips LangChain4j's {@code chat()} template
     *                         (which merges the defaults) and calls {@code doChat} directly
     * @throws UnsupportedFeatureException for a message Snowcrash cannot carry (images, audio, ...)
     * @throws InvalidRequestException     for a conversation Snowcrash cannot take (a tool result
     *                                     answering no earlier call, a call without an id, ...)
     */
    static ChatRequest toSnowcrash(dev.langchain4j.model.chat.request.ChatRequest request, int defaultMaxTokens) {
        StringBuilder system = new StringBuilder();
        List<ChatMessage> rest = new ArrayList<>();
        for (dev.langchain4j.data.message.ChatMessage m : request.messages()) {
            if (m instanceof SystemMessage s) {
                if (system.length() > 0) {
                    system.append("\n\n");
                }
                system.append(s.text());
            } else if (m instanceof UserMessage u) {
                if (!u.hasSingleText()) {
                    throw new UnsupportedFeatureException("Snowcrash backends accept text-only user messages");
                }
                rest.add(ChatMessage.user(u.singleText()));
            } else if (m instanceof AiMessage a) {
                rest.add(assistant(a));
            } else if (m instanceof ToolExecutionResultMessage t) {
                rest.add(toolResult(t));
            } else {
                throw new UnsupportedFeatureException("Snowcrash backends do not support " + m.type() + " messages");
            }
        }
        List<ChatMessage> all = new ArrayList<>();
        if (system.length() > 0) {
            all.add(ChatMessage.system(system.toString()));
        }
        all.addAll(rest);
        ChatRequestParameters p = request.parameters();
        Integer max = p.maxOutputTokens();
        Double temperature = p.temperature();
        List<String> stop = p.stopSequences() == null ? List.of() : p.stopSequences();
        try {
            return new ChatRequest(all, max == null ? defaultMaxTokens : max,
                    temperature == null ? OptionalDouble.empty() : OptionalDouble.of(temperature), OptionalLong.empty(), stop,
                    Parameters.tools(p.toolSpecifications()), Parameters.choice(p.toolChoice()), true,
                    Parameters.format(p.responseFormat()));
        } catch (IllegalArgumentException e) {
            // ChatRequest's invariants: a tool result answering no call, REQUIRED without tools, ...
            throw new InvalidRequestException(e.getMessage(), e);
        }
    }

    private static ChatMessage assistant(AiMessage a) {
        String text = a.text() == null ? "" : a.text();
        if (!a.hasToolExecutionRequests()) {
            return ChatMessage.assistant(text);
        }
        List<ToolCall> calls = new ArrayList<>();
        for (ToolExecutionRequest r : a.toolExecutionRequests()) {
            if (r.id() == null || r.id().isBlank()) {
                throw new InvalidRequestException("tool execution request '" + r.name()
                        + "' has no id; Snowcrash ties each tool result to its call by id");
            }
            String arguments = r.arguments() == null || r.arguments().isBlank() ? "{}" : r.arguments();
            try {
                calls.add(new ToolCall(r.id(), r.name(), arguments));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("tool execution request '" + r.name() + "': " + e.getMessage(), e);
            }
        }
        return ChatMessage.assistant(text, calls);
    }

    private static ChatMessage toolResult(ToolExecutionResultMessage t) {
        if (t.id() == null || t.id().isBlank()) {
            throw new InvalidRequestException("the result of tool '" + t.toolName()
                    + "' has no id; Snowcrash ties each tool result to its call by id");
        }
        return ChatMessage.toolResult(t.id(), t.text() == null ? "" : t.text());
    }

    /**
     * A LangChain4j response from a Snowcrash one: the text (none when the answer is only calls),
     * the calls as tool execution requests, the reasoning as the AI message's thinking.
     */
    static dev.langchain4j.model.chat.response.ChatResponse toLangChain(org.snowcrash.api.ChatResponse r, String modelName) {
        AiMessage.Builder ai = AiMessage.builder();
        // LangChain4j's own providers leave the text null when a model answered only with calls.
        ai.text(r.hasToolCalls() && r.text().isEmpty() ? null : r.text());
        if (!r.reasoning().isEmpty()) {
            ai.thinking(r.reasoning());
        }
        if (r.hasToolCalls()) {
            ai.toolExecutionRequests(r.toolCalls().stream().map(Messages::request).toList());
        }
        return dev.langchain4j.model.chat.response.ChatResponse.builder()
                .aiMessage(ai.build())
                .modelName(modelName)
                .tokenUsage(new TokenUsage(r.usage().promptTokens(), r.usage().completionTokens()))
                .finishReason(finish(r.finishReason()))
                .build();
    }

    /** LangChain4j's tool execution request for a call the model made. */
    static ToolExecutionRequest request(ToolCall call) {
        return ToolExecutionRequest.builder().id(call.id()).name(call.name()).arguments(call.arguments()).build();
    }

    private static dev.langchain4j.model.output.FinishReason finish(FinishReason f) {
        return switch (f) {
            case STOP -> dev.langchain4j.model.output.FinishReason.STOP;
            case LENGTH -> dev.langchain4j.model.output.FinishReason.LENGTH;
            case TOOL_CALLS -> dev.langchain4j.model.output.FinishReason.TOOL_EXECUTION;
            case CANCELLED -> dev.langchain4j.model.output.FinishReason.OTHER;
        };
    }
}
