package org.snowcrash.agent;

import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.LifecycleEvent;

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
