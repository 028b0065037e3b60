package org.snowcrash.spring.ai;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.Usage;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.Generation;

/**
 * Turns Snowcrash answers into Spring AI responses: the text and tool calls, the finish reason,
 * usage, and which backend served, under the metadata keys below.
 */
final class Responses {

    /** Metadata key: the backend that served the request ({@code docker}, {@code llamacpp}, ...). */
    static final String BACKEND = SnowcrashChatModel.METADATA_BACKEND;

    private Responses() {
    }

    /** The whole answer as one Spring AI response. */
    static org.springframework.ai.chat.model.ChatResponse of(ChatResponse r, String id, String model,
                                                              Optional<ModelTarget.Served> served) {
        AssistantMessage message = AssistantMessage.builder().content(r.text()).toolCalls(toolCalls(r)).build();
        return new org.springframework.ai.chat.model.ChatResponse(List.of(new Generation(message, finish(r))),
                metadata(r, id, model, served));
    }

    /** A streamed piece of text, with no metadata beyond the response id and model. */
    static org.springframework.ai.chat.model.ChatResponse piece(String text, String id, String model) {
        return new org.springframework.ai.chat.model.ChatResponse(
                List.of(new Generation(new AssistantMessage(text))),
                ChatResponseMetadata.builder().id(id).model(model).build());
    }

    /**
     * The last chunk of a stream: no more text (it came in pieces), but the complete tool calls,
     * the finish reason, usage and the backend, which Spring AI's aggregator folds into the whole.
     */
    static org.springframework.ai.chat.model.ChatResponse last(ChatResponse r, String id, String model,
                                                                Optional<ModelTarget.Served> served) {
        AssistantMessage message = AssistantMessage.builder().content("").toolCalls(toolCalls(r)).build();
        return new org.springframework.ai.chat.model.ChatResponse(List.of(new Generation(message, finish(r))),
                metadata(r, id, model, served));
    }

    private static List<AssistantMessage.ToolCall> toolCalls(ChatResponse r) {
        return r.toolCalls().stream().map(c -> new AssistantMessage.ToolCall(c.id(), "function", c.name(), c.arguments()))
                .toList();
    }

    private static ChatGenerationMetadata finish(ChatResponse r) {
        return ChatGenerationMetadata.builder().finishReason(r.finishReason().name()).build();
    }

    private static ChatResponseMetadata metadata(ChatResponse r, String id, String model, Optional<ModelTarget.Served> served) {
        Usage u = r.usage();
        ChatResponseMetadata.Builder b = ChatResponseMetadata.builder().id(id).model(model)
                .usage(new DefaultUsage(u.promptTokens(), u.completionTokens(), u.totalTokens(), u))
                .keyValue(SnowcrashChatModel.METADATA_CACHED_PROMPT_TOKENS, u.cachedPromptTokens())
                .keyValue(SnowcrashChatModel.METADATA_ELAPSED_MS, r.elapsed().toMillis());
        served.ifPresent(s -> {
            b.keyValue(BACKEND, s.backendId());
            if (!s.detail().isEmpty()) {
                b.keyValue(SnowcrashChatModel.METADATA_BACKEND_DETAIL, s.detail());
            }
        });
        return b.build();
    }

    /** A fresh response id, as an OpenAI-style server would give one. */
    static String newId() {
        return "snowcrash-" + UUID.randomUUID();
    }
}
