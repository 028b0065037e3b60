package org.snowcrash.openai.wire;

import com.fasterxml.jackson.databind.JsonNode;

import org.snowcrash.api.Usage;

/**
 * What one streamed {@code chat.completion.chunk} carries, as {@link ResponseReader#chunk} reads it.
 *
 * @param content      {@code delta.content}, empty when none
 * @param reasoning    {@code delta.reasoning_content}, empty when none
 * @param toolCalls    {@code delta.tool_calls} as sent, for the stream's {@link ToolCallAssembler}; null when none
 * @param finishReason {@code finish_reason} as sent, null until the last chunk
 * @param usage        the token counts ({@code usage}, or llama-server's {@code timings}), null when the chunk has none
 */
public record Chunk(String content, String reasoning, JsonNode toolCalls, String finishReason, Usage usage) {
}
