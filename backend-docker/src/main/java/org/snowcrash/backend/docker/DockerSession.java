package org.snowcrash.backend.docker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.SessionInfo;
import org.snowcrash.api.TokenSink;
import org.snowcrash.openai.OpenAiClient;

/**
 * A model served by llama-server in a container this process started. Requests may run
 * concurrently (the server has slots). {@link #close()} removes the container, within the
 * configured stop bound.
 */
final class DockerSession implements ModelSession {

    private final SessionInfo info;
    private final OpenAiClient client;
    private final ContainerTracker.Tracked container;
    private final Lifeline lifeline;
    private final Runnable afterClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    DockerSession(SessionInfo info, OpenAiClient client, ContainerTracker.Tracked container, Lifeline lifeline,
                  Runnable afterClose) {
        this.info = info;
        this.client = client;
        this.container = container;
        this.lifeline = lifeline;
        this.afterClose = afterClose;
    }

    @Override
    public SessionInfo info() {
        return info;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        ensureOpen();
        return client.chat(request);
    }

    @Override
    public ChatResponse stream(ChatRequest request, TokenSink sink, Cancellation cancellation) {
        ensureOpen();
        return client.stream(request, sink, cancellation);
    }

    @Override
    public int countPromptTokens(List<ChatMessage> messages) {
        ensureOpen();
        return client.countPromptTokens(messages);
    }

    @Override
    public boolean isAlive() {
        return !closed.get() && !lifeline.hasEnded() && client.health(Duration.ofSeconds(1)) == 200;
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new ChatException(DockerBackend.ID, info.detail(), new ChatFailure.Closed());
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                ContainerTracker.remove(container);
            } finally {
                lifeline.close();
                afterClose.run();
            }
        }
    }
}
