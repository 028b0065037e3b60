package org.snowcrash.api;

import java.util.List;

/**
 * A model running in some backend, ready to answer. Returned by
 * {@link LlmBackend#start(ModelSpec, BackendContext)}; the caller owns it and closes it.
 *
 * <p>Requests may come from several threads; a session serializes them where its runtime
 * needs that (an in-process llama.cpp context is not thread-safe) and runs them concurrently
 * where it can (a server with several slots). After {@link #close()}, every request fails with
 * {@link ChatException} of kind {@link ChatFailure.Closed}.
 */
public interface ModelSession extends AutoCloseable {

    /** Which backend and model this is. Never blocks. */
    SessionInfo info();

    /**
     * Answers a request and returns the whole response. Blocks until done.
     *
     * @throws ChatException when the request fails; its {@link ChatException#failure()} says how
     */
    ChatResponse chat(ChatRequest request);

    /**
     * Answers a request, handing text to {@code sink} as it is generated, and returns the whole
     * response at the end. Blocks until done. {@link Cancellation#cancel()} from another thread
     * stops generation promptly and the response ends with {@link FinishReason#CANCELLED}; the
     * session stays usable for the next request.
     *
     * @throws ChatException when the request fails
     */
    ChatResponse stream(ChatRequest request, TokenSink sink, Cancellation cancellation);

    /**
     * Counts the tokens the prompt of these messages takes once the chat template is applied, as
     * exactly as the backend can (its own tokenizer when it has one). Used to keep a conversation
     * within the context window.
     *
     * @throws ChatException when the backend cannot be reached
     */
    int countPromptTokens(List<ChatMessage> messages);

    /**
     * Whether the model still answers (a container still runs, a server still responds). Cheap;
     * never throws.
     */
    boolean isAlive();

    /**
     * Releases what the session holds (stops and removes its container, releases the model).
     * Idempotent; never throws for a resource that is already gone.
     */
    @Override
    void close();
}
