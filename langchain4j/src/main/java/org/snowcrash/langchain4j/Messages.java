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
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.output.TokenUsage;

/** Maps LangChain4j requests and responses to Snowcrash's and back. Stateless. */
final class Messages {

    private Messages() {
    }

    /**
     * A Snowcrash request from a LangChain4j one: system messages are joined into the one system
     * prompt Snowcrash allows, first; user and AI messages keep their order. Tools, images and
     * JSON response formats are not supported by these backends and say so.
     */
    static ChatRequest toSnowcrash(dev.langchain4j.model.chat.request.ChatRequest request, int defaultMaxTokens) {
        if (request.toolSpecifications() != null && !request.toolSpecifications().isEmpty()) {
            throw new UnsupportedFeatureException("Snowcrash backends do not support tools");
        }
        if (request.responseFormat() != null && request.responseFormat().type() == ResponseFormatType.JSON) {
            throw new UnsupportedFeatureException("Snowcrash backends do not support a JSON response format");
        }
        StringBuilder system = new StringBuilder();
        List<ChatMessage> rest = new ArrayList<>();
        for (dev.langchain4j.data.message.ChatMessage m : request.messages()) {
            if (m instanceof SystemMessage) {
                if (system.length() > 0) {
                    system.append("\n\n");
                }
                system.append(((SystemMessage) m).text());
            } else if (m instanceof UserMessage) {
                UserMessage u = (UserMessage) m;
                if (!u.hasSingleText()) {
                    throw new UnsupportedFeatureException("Snowcrash backends accept text-only user messages");
                }
                rest.add(ChatMessage.user(u.singleText()));
            } else if (m instanceof AiMessage) {
                AiMessage a = (AiMessage) m;
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
        Integer max = request.maxOutputTokens();
        Double temperature = request.temperature();
        List<String> stop = request.stopSequences() == null ? List.of() : request.stopSequences();
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
        switch (f) {
            case STOP: return dev.langchain4j.model.output.FinishReason.STOP;
            case LENGTH: return dev.langchain4j.model.output.FinishReason.LENGTH;
            default: return dev.langchain4j.model.output.FinishReason.OTHER;
        }
    }
}
