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
import org.snowcrash.api.ToolFormat;
import org.snowcrash.api.ToolSpec;
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
    /** How tools reach this model: its template ({@code NATIVE}) or Snowcrash's own format. */
    private final ToolFormat toolFormat;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The conversation's prompt cache on disk, restored into a new container (docs/slot-cache.md). */
    private final SlotCache slotCache;
    private final Duration stopBound;
    /** How long a failed request waits for the container's end before it is reported without it. */
    private static final Duration EXIT_GRACE = Duration.ofSeconds(2);

    DockerSession(SessionInfo info, OpenAiClient client, ContainerTracker.Tracked container, Lifeline lifeline,
                  Runnable afterClose, ToolFormat toolFormat, SlotCache slotCache, Duration stopBound) {
        this.info = info;
        this.slotCache = slotCache;
        this.stopBound = stopBound;
        this.toolFormat = toolFormat;
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
        ToolRoute route = ToolRoute.of(request, toolFormat, info.detail());
        try {
            SlotCache.Turn turn = slotCache.before(route.sent().messages());
            ChatResponse answer = route.read(client.chat(route.sent()));
            slotCache.after(turn);
            return answer;
        } catch (ChatException e) {
            throw explained(e);
        }
    }

    @Override
    public ChatResponse stream(ChatRequest request, TokenSink sink, Cancellation cancellation) {
        ensureOpen();
        ToolRoute.Stream route = ToolRoute.of(request, toolFormat, info.detail()).stream(sink);
        try {
            SlotCache.Turn turn = slotCache.before(route.sent().messages());
            ChatResponse answer = route.finish(client.stream(route.sent(), route.sink(), cancellation));
            slotCache.after(turn);
            return answer;
        } catch (ChatException e) {
            throw explained(e);
        }
    }

    /**
     * A request that found the server gone says why when the container tells: it ended (with the
     * server's exit status when the entrypoint reported it) and its last lines. Seen from the
     * HTTP side alone, a crash, an out-of-memory kill and a cut connection all read "unexpected end
     * of stream". Waits at most {@link #EXIT_GRACE} for the container's output to end.
     */
    private ChatException explained(ChatException e) {
        if (!(e.failure() instanceof ChatFailure.BackendGone gone) || closed.get()) {
            return e;
        }
        try {
            if (!lifeline.awaitEnd(EXIT_GRACE.toMillis())) {
                return e; // the container still runs: the connection, not the server, failed
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return e;
        }
        StringBuilder why = new StringBuilder(gone.detail()).append("; the container ended");
        lifeline.exitStatus().ifPresent(status -> why.append(" (server exit status ").append(status).append(')'));
        List<String> last = lifeline.lastLines();
        if (!last.isEmpty()) {
            why.append("; its last output: ").append(String.join(" | ", last.subList(Math.max(0, last.size() - 3), last.size())));
        }
        return new ChatException(DockerBackend.ID, info.detail(), new ChatFailure.BackendGone(why.toString()), e);
    }

    /** Waits for the slot cache's save in flight (tests: the lifecycle point "saved"). */
    boolean awaitSlotSaves(Duration bound) {
        return slotCache.awaitSaves(bound);
    }

    @Override
    public int countPromptTokens(List<ChatMessage> messages) {
        return countPromptTokens(messages, List.of());
    }

    /**
     * Counted by the server as it renders the prompt: its template with the tools ({@code NATIVE};
     * {@code /apply-template} takes the tools with {@code --jinja}), or the messages with the tools
     * written in by Snowcrash's format ({@code SNOWCRASH}), then its tokenizer.
     */
    @Override
    public int countPromptTokens(List<ChatMessage> messages, List<ToolSpec> tools) {
        ensureOpen();
        return toolFormat == ToolFormat.SNOWCRASH
                ? client.countPromptTokens(ToolRoute.rendered(messages, toolFormat, tools))
                : client.countPromptTokens(messages, tools);
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
                if (!lifeline.hasEnded()) {
                    slotCache.close(stopBound); // a deliberate stop: the last turn's save finishes first
                } else {
                    slotCache.close(Duration.ZERO);
                }
                ContainerTracker.remove(container);
            } finally {
                lifeline.close();
                afterClose.run();
            }
        }
    }
}
