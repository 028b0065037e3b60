package org.snowcrash.langchain4j;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.FinishReason;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.output.TokenUsage;

/** Maps LangChain4j requests and responses to Snowcrash's and back. Stateless. */
final class Messages {

    private Messages() {
    }

    /**
     * Refuses what these backends cannot honour, so that nothing a caller asked for is silently
     * dropped: tools, a JSON response format, sampling knobs Snowcrash does not carry (top-p,
     * top-k, penalties), and a model name other than the one running.
     *
     * @throws UnsupportedFeatureException for a feature no Snowcrash backend offers
     * @throws InvalidRequestException     for a model name this model does not answer to
     */
    static void check(ChatRequestParameters p, String runningModel) {
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty() || p.toolChoice() == ToolChoice.REQUIRED) {
            throw new UnsupportedFeatureException("Snowcrash backends do not support tools");
        }
        if (p.responseFormat() != null && p.responseFormat().type() == ResponseFormatType.JSON) {
            throw new UnsupportedFeatureException("Snowcrash backends do not support a JSON response format");
        }
        unsupported("topP", p.topP());
        unsupported("topK", p.topK());
        unsupported("frequencyPenalty", p.frequencyPenalty());
        unsupported("presencePenalty", p.presencePenalty());
        if (p.modelName() != null && !p.modelName().equals(runningModel)) {
            throw new InvalidRequestException("this Snowcrash model runs '" + runningModel + "' and cannot answer as '"
                    + p.modelName() + "'; start a RunningModel for that model instead");
        }
    }

    private static void unsupported(String name, Object value) {
        if (value != null) {
            throw new UnsupportedFeatureException("Snowcrash backends do not support the '" + name + "' parameter");
        }
    }

    /**
     * A Snowcrash request from a LangChain4j one whose parameters are already merged with the
     * model's defaults: system messages are joined into the one system prompt Snowcrash allows,
     * first; user and AI messages keep their order.
     *
     * @param defaultMaxTokens used only when a caller skips LangChain4j's {@code chat()} template
     *                         (which merges the defaults) and calls {@code doChat} directly
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
                if (a.hasToolExecutionRequests()) {
                    throw new UnsupportedFeatureException("Snowcrash backends do not support tools");
                }
                rest.add(ChatMessage.assistant(a.text() == null ? "" : a.text()));
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
        return new ChatRequest(all, max == null ? defaultMaxTokens : max,
                temperature == null ? OptionalDouble.empty() : OptionalDouble.of(temperature), OptionalLong.empty(), stop);
    }

    /** A LangChain4j response from a Snowcrash one. */
    static dev.langchain4j.model.chat.response.ChatResponse toLangChain(org.snowcrash.api.ChatResponse r, String modelName) {
        return dev.langchain4j.model.chat.response.ChatResponse.builder()
                .aiMessage(AiMessage.from(r.text()))
                .modelName(modelName)
                .tokenUsage(new TokenUsage(r.usage().promptTokens(), r.usage().completionTokens()))
                .finishReason(finish(r.finishReason()))
                .build();
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
