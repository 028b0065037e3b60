package org.snowcrash.tck;

import java.util.List;

import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;

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
}
