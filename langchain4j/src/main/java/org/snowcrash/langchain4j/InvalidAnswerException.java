package org.snowcrash.langchain4j;

import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;

import dev.langchain4j.exception.LangChain4jException;

/**
 * The model's answer broke what the request asked for, and Snowcrash refused to hand it over: a
 * call to a tool that was not offered, arguments not valid against the tool's schema, text where a
 * call was required, or JSON not valid against the response format's schema. Nothing of the answer
 * reached LangChain4j (no tool ran). Asking again may give a valid answer (sampling differs); with
 * temperature 0 it usually gives the same one.
 *
 * <p>The cause is the runtime's {@link ChatException} with its {@link ChatFailure.InvalidAnswer}.
 */
public final class InvalidAnswerException extends LangChain4jException {

    private static final long serialVersionUID = 1L;

    private final String what;
    private final String answer;

    InvalidAnswerException(ChatFailure.InvalidAnswer failure, ChatException cause) {
        super(cause.getMessage(), cause);
        this.what = failure.what();
        this.answer = failure.answer();
    }

    /** What was wrong, for people: {@code move: $.meters: string found, number expected}. */
    public String what() {
        return what;
    }

    /** The offending answer (call arguments or text) as the model gave it. */
    public String answer() {
        return answer;
    }
}
