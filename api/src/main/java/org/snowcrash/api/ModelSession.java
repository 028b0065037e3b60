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
     * Counts the tokens of the prompt of these messages with these tools offered, as the backend
     * renders the tools (the model's template, or Snowcrash's format). At {@code -c 512} the tools
     * take a real share of the context, so the context budget counts them.
     *
     * <p>The default, for backends that know no tools, counts the messages plus one system message
     * holding each tool's name, description and schema text: more than any compact rendering
     * takes, so a budget built on it trims early rather than overflows. Backends that render tools
     * override it with the exact count.
     *
     * @throws ChatException when the backend cannot be reached
     */
    default int countPromptTokens(List<ChatMessage> messages, List<ToolSpec> tools) {
        if (tools.isEmpty()) {
            return countPromptTokens(messages);
        }
        StringBuilder b = new StringBuilder();
        for (ToolSpec t : tools) {
            b.append(t.name()).append(": ").append(t.description()).append(' ').append(t.parameters().json()).append('\n');
        }
        List<ChatMessage> withTools = new java.util.ArrayList<>(messages);
        if (!withTools.isEmpty() && withTools.get(0).role() == ChatMessage.Role.SYSTEM) {
            withTools.set(0, ChatMessage.system(withTools.get(0).content() + "\n" + b));
        } else {
            withTools.add(0, ChatMessage.system(b.toString()));
        }
        return countPromptTokens(withTools);
    }

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
