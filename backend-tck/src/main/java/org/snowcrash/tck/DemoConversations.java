package org.snowcrash.tck;

import org.snowcrash.demo.DemoModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.TokenSink;

/**
 * Scenes and questions for the trained demo model (the {@code snowcrash-models} jar's
 * {@code DemoModel}), with the words its answer must contain. The scene is in the system prompt,
 * as the robot's detector output would be, so an answer naming the scene's objects proves that
 * the system prompt and the latest question reached the model intact through a backend (a lost
 * system prompt or a broken chat template cannot name them). Greedy decoding.
 */
public final class DemoConversations {

    /**
     * @param system   the system prompt (the scene)
     * @param question the user's question
     * @param expected words the answer must contain, in lower case
     */
    public record Case(String system, String question, List<String> expected) {
        /** The request, greedy, with room for the whole answer. */
        public ChatRequest request() {
            return ChatRequest.of(List.of(ChatMessage.system(system), ChatMessage.user(question)), 48).withTemperature(0);
        }
    }

    /** Cases that pass on both runtimes (llama-server b11669 and java-llama.cpp 4.2.0). */
    public static final List<Case> CASES = List.of(
            new Case("You are Snowcrash, a small robot. Your camera sees: two cups on the left, a dog ahead.",
                    "What do you see?", List.of("two cups", "dog")),
            new Case("You are Snowcrash, a small robot. Your camera sees: a person on the left, two cups ahead.",
                    "What do you see?", List.of("person", "two cups")));

    private DemoConversations() {
    }

    /** A streaming call, such as {@code RunningModel::stream} or {@code ModelSession::stream}. */
    @FunctionalInterface
    public interface StreamCall {
        ChatResponse stream(ChatRequest request, TokenSink sink, Cancellation cancellation);
    }

    /**
     * Asks every case blocking and streaming, and asserts each answer names the scene's words, the
     * two answers are the same (greedy) and the streamed pieces make up the streamed answer.
     */
    public static void assertEveryCase(Function<ChatRequest, ChatResponse> chat, StreamCall stream) {
        for (Case c : CASES) {
            ChatResponse blocking = chat.apply(c.request());
            StringBuilder pieces = new StringBuilder();
            ChatResponse streamed = stream.stream(c.request(), pieces::append, new Cancellation());
            String answer = blocking.text().toLowerCase(Locale.ROOT);
            for (String word : c.expected()) {
                assertTrue(answer.contains(word), c.question() + " with " + c.system() + " -> " + blocking.text());
            }
            assertEquals(blocking.text(), streamed.text(), "greedy: blocking and streaming say the same");
            assertEquals(streamed.text(), pieces.toString());
        }
    }
}
