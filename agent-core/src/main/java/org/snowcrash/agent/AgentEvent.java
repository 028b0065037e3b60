package org.snowcrash.agent;

import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.ToolCall;

/** What an {@link Agent} tells its listeners (viewers). */
public sealed interface AgentEvent {

    /** Something happened to a backend: starting, ready, failed, fallback, served-by, degraded. */
    record Lifecycle(LifecycleEvent event) implements AgentEvent {
    }

    /** A piece of the answer being generated. */
    record Token(String text) implements AgentEvent {
    }

    /**
     * A whole sentence (or, for a very long one, a clause) of the answer, as soon as it is
     * complete: for speech. The sentences of a turn, concatenated, equal its text.
     */
    record Sentence(String text) implements AgentEvent {
    }

    /**
     * Reasoning the model did before answering, from servers that return it apart
     * ({@code reasoning_content}): shown to viewers, never spoken, never part of the answer.
     */
    record Reasoning(String text) implements AgentEvent {
    }

    /** The model called a tool; the tool runs next (its arguments are valid against its schema). */
    record ToolCalled(ToolCall call) implements AgentEvent {
    }

    /**
     * A tool ran; its result goes back to the model.
     *
     * @param call   the call
     * @param result what the model reads ({@code error: ...} when the tool threw)
     * @param failed whether the tool threw
     */
    record ToolResult(ToolCall call, String result, boolean failed) implements AgentEvent {
    }

    /**
     * The model's answer broke what the request asked for (a call whose arguments do not match the
     * tool's schema, for instance) and was not acted on; the model is asked again, a bounded
     * number of times.
     *
     * @param problem what was wrong
     * @param answer  the rejected answer
     */
    record AnswerRejected(String problem, String answer) implements AgentEvent {
    }

    /**
     * A turn finished.
     *
     * @param response        the answer with usage and timing
     * @param droppedMessages how many old messages this turn dropped (they are forgotten) so the
     *                        request fit the context; 0 when nothing had to go
     */
    record TurnFinished(ChatResponse response, int droppedMessages) implements AgentEvent {
        /** Generated tokens per second. */
        public double tokensPerSecond() {
            return response.tokensPerSecond();
        }
    }

    /** A turn failed; the conversation is as it was before the turn. */
    record TurnFailed(ChatException error) implements AgentEvent {
    }
}
