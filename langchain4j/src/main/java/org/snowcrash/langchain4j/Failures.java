package org.snowcrash.langchain4j;

import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;

import dev.langchain4j.exception.UnsupportedFeatureException;

/**
 * Turns the runtime's failures that mean something to a LangChain4j caller into LangChain4j's
 * exceptions; every other failure stays the typed {@link ChatException} (backend gone, context
 * overflow, ...), which callers of this adapter already handle. Stateless.
 */
final class Failures {

    private Failures() {
    }

    /**
     * {@link ChatFailure.Unsupported} (the serving backend cannot honour tools or a JSON schema)
     * becomes LangChain4j's {@link UnsupportedFeatureException}; {@link ChatFailure.InvalidAnswer}
     * becomes {@link InvalidAnswerException}. The original is the cause of either.
     */
    static RuntimeException translate(RuntimeException e) {
        if (e instanceof ChatException chat) {
            if (chat.failure() instanceof ChatFailure.Unsupported u) {
                UnsupportedFeatureException mapped = new UnsupportedFeatureException(chat.getMessage()
                        + "; start the model on a backend that declares " + u.missing().stream().map(Enum::name).sorted().toList());
                mapped.initCause(chat);
                return mapped;
            }
            if (chat.failure() instanceof ChatFailure.InvalidAnswer invalid) {
                return new InvalidAnswerException(invalid, chat);
            }
        }
        return e;
    }
}
