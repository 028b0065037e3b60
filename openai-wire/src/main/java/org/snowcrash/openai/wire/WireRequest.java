package org.snowcrash.openai.wire;

import org.snowcrash.api.ChatRequest;

/**
 * A {@code POST /chat/completions} body as {@link RequestReader} reads it: what the model is asked,
 * and the fields around it that say how the answer travels.
 *
 * @param model        the {@code model} field, stripped
 * @param request      the request for the model
 * @param stream       whether to answer with server-sent events
 * @param includeUsage {@code stream_options.include_usage} of a streamed request: a last chunk with the token counts
 */
public record WireRequest(String model, ChatRequest request, boolean stream, boolean includeUsage) {
}
