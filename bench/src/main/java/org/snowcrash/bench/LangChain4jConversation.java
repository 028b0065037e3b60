package org.snowcrash.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiTokenUsage;

/**
 * (c): LangChain4j's {@link MessageWindowChatMemory} with LangChain4j's own OpenAI streaming
 * client against a plain llama-server, written as a LangChain4j user would write it.
 */
final class LangChain4jConversation implements Conversation {

    /**
     * The window, in messages, system prompt included: the system prompt and the last three
     * exchanges with the new question, the most this script's longest turns fit in 512 tokens
     * with a 32-token answer (a window counts messages, not tokens; with four exchanges kept the
     * server refuses some requests as too long for the context).
     */
    static final int WINDOW = 8;

    private final OpenAiStreamingChatModel model;
    private final MessageWindowChatMemory memory = MessageWindowChatMemory.withMaxMessages(WINDOW);

    LangChain4jConversation(int port) throws Exception {
        model = OpenAiStreamingChatModel.builder()
                .baseUrl("http://127.0.0.1:" + port + "/v1").apiKey("none").modelName("timing")
                .temperature(0.0).maxTokens(ConversationScript.ANSWER).timeout(Duration.ofMinutes(5))
                // As for every client in the bench: each request gets a fresh connection (Snowcrash's
                // own client does the same, so the comparison is like for like).
                .customHeaders(Map.of("Connection", "close"))
                .build();
        memory.add(SystemMessage.from(ConversationScript.SYSTEM));
        // Warm-up, as for the agents: JIT, connection path, the template's beginning in the slot.
        chat(List.of(SystemMessage.from(ConversationScript.SYSTEM), UserMessage.from("Warming up.")), new AtomicLong());
    }

    @Override
    public Turn ask(int turn) throws Exception {
        memory.add(UserMessage.from(ConversationScript.question(turn)));
        AtomicLong first = new AtomicLong();
        long t0 = System.nanoTime();
        ChatResponse r = chat(memory.messages(), first);
        memory.add(r.aiMessage());
        // The server's own numbers: usage.prompt_tokens and prompt_tokens_details.cached_tokens,
        // which llama-server fills from its timings (cache_n).
        OpenAiTokenUsage u = (OpenAiTokenUsage) r.tokenUsage();
        int cached = u.inputTokensDetails() == null || u.inputTokensDetails().cachedTokens() == null ? 0
                : u.inputTokensDetails().cachedTokens();
        return new Turn((first.get() - t0) / 1e6, u.inputTokenCount(), cached);
    }

    private ChatResponse chat(List<ChatMessage> messages, AtomicLong first) throws Exception {
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(messages, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                first.compareAndSet(0, System.nanoTime());
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        return done.get(5, TimeUnit.MINUTES);
    }
}
