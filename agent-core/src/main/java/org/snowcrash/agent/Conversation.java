package org.snowcrash.agent;

import java.util.OptionalDouble;

/**
 * What an {@link Agent}'s turns are made with, fixed when it starts.
 *
 * @param systemPrompt the system prompt, empty for none
 * @param maxTokens    the most tokens per answer
 * @param temperature  the sampling temperature (the backend's default when empty)
 * @param trimPolicy   how to make room when the context is full
 * @param toolbox      the tools the model may call (offered with every request)
 * @param maxToolSteps the most rounds of tool calls in a turn
 * @param maxReasks    how often a turn asks again after an answer that breaks the request
 */
record Conversation(String systemPrompt, int maxTokens, OptionalDouble temperature, TrimPolicy trimPolicy,
                    Toolbox toolbox, int maxToolSteps, int maxReasks) {
}
