package org.snowcrash.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.snowcrash.server.ServeTestSupport.KEY;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;

/**
 * LangChain4j's own OpenAI client ({@code langchain4j-open-ai}, pointed at the server's base URL)
 * against the server and the real in-process backend: an application written for OpenAI runs on
 * Snowcrash by changing its base URL, and gets LangChain4j's usual exceptions for our errors.
 */
class LangChain4jClientTest {

    private static SnowcrashServer server;
    private static String baseUrl;

    @BeforeAll
    static void start() {
        server = ServeTestSupport.start(ServeTestSupport.inProcess(ServeTestSupport.tempModels()));
        baseUrl = server.uri() + "v1";
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static OpenAiChatModel blocking(String model, String key) {
        return OpenAiChatModel.builder().baseUrl(baseUrl).apiKey(key).modelName(model).maxTokens(8).temperature(0.0)
                .maxRetries(0).timeout(Duration.ofMinutes(2)).build();
    }

    private static final ChatRequest QUESTION = ChatRequest.builder()
            .messages(SystemMessage.from("You are the voice of a small robot."), UserMessage.from("What do you see?")).build();

    @Test
    void blockingAndStreamingThroughLangChain4jsOpenAiClient() throws Exception {
        ChatModel model = blocking("demo", KEY);
        ChatResponse blocking = model.chat(QUESTION);
        assertEquals(8, blocking.tokenUsage().outputTokenCount());
        assertTrue(blocking.tokenUsage().inputTokenCount() > 0);
        assertEquals(FinishReason.LENGTH, blocking.finishReason());
        assertEquals("demo", blocking.modelName());

        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(baseUrl).apiKey(KEY)
                .modelName("demo").maxTokens(8).temperature(0.0).timeout(Duration.ofMinutes(2)).build();
        List<String> partials = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat(QUESTION, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                partials.add(partial);
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
        ChatResponse streamed = done.get(2, TimeUnit.MINUTES);
        assertEquals(blocking.aiMessage().text(), streamed.aiMessage().text(), "greedy: the same answer both ways");
        assertEquals(streamed.aiMessage().text(), String.join("", partials));
        assertTrue(partials.size() > 1, "it streamed: " + partials);
        // LangChain4j asks for stream_options.include_usage; the counts come from our last chunk.
        assertEquals(8, streamed.tokenUsage().outputTokenCount());
        assertEquals(blocking.tokenUsage().inputTokenCount(), streamed.tokenUsage().inputTokenCount());
        assertEquals(FinishReason.LENGTH, streamed.finishReason());
    }

    @Test
    void ourErrorsBecomeLangChain4jsOwnExceptions() throws Exception {
        assertThrows(ModelNotFoundException.class, () -> blocking("no-such-model", KEY).chat(QUESTION));
        assertThrows(AuthenticationException.class, () -> blocking("demo", "wrong-key-0123456789").chat(QUESTION));
        ChatRequest tooLong = ChatRequest.builder().messages(UserMessage.from("word ".repeat(700))).build();
        InvalidRequestException overflow = assertThrows(InvalidRequestException.class, () -> blocking("demo", KEY).chat(tooLong));
        assertTrue(overflow.getMessage().contains("context_length_exceeded"), overflow.getMessage());

        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(baseUrl).apiKey(KEY)
                .modelName("no-such-model").maxTokens(8).timeout(Duration.ofMinutes(2)).build();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat(QUESTION, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
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
        ExecutionException e = assertThrows(ExecutionException.class, () -> done.get(2, TimeUnit.MINUTES));
        assertInstanceOf(ModelNotFoundException.class, e.getCause());
    }
}
