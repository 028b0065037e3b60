package org.snowcrash.langchain4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.FinishReason;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;

/**
 * LangChain4j's {@link StreamingChatModel} over a Snowcrash {@link RunningModel}, built like
 * LangChain4j's own providers (see {@link SnowcrashChatModel}): LangChain4j's {@code chat()}
 * template merges the defaults, tells the listeners and calls {@link #doChat}, which never throws
 * and reports everything through the handler: text as partial responses, a reasoning model's
 * thinking as partial thinking, tool calls as partial tool calls while they stream and as complete
 * tool calls once the runtime has checked them (just before {@code onCompleteResponse}, whose AI
 * message carries them as tool execution requests).
 *
 * <p>Each request streams on a thread of the builder's {@link Builder#executor executor} (by
 * default a pool of daemon threads that end when idle). Partial responses carry a
 * {@link StreamingHandle} whose {@code cancel()} stops that request, and only it, at once; a
 * cancelled stream ends without {@code onCompleteResponse}. Failures arrive through
 * {@code onError} as the typed {@link org.snowcrash.api.ChatException}, except those LangChain4j has
 * words for (as in {@link SnowcrashChatModel#doChat}: an unsupported feature, an invalid answer); after a backend died,
 * the next request is served by a restarted one. Thread-safe.
 */
public final class SnowcrashStreamingChatModel implements StreamingChatModel {

    private final Binding binding;
    private final Executor executor;

    private SnowcrashStreamingChatModel(Binding binding, Executor executor) {
        this.binding = binding;
        this.executor = executor;
    }

    /** A builder; {@link Builder#runningModel} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts one request whose parameters LangChain4j's {@code chat()} already merged and returns
     * at once; the answer goes to {@code handler} from the executor's thread. Never throws: a
     * request that cannot be sent (unsupported feature, executor refusing work) goes to
     * {@code onError} too.
     */
    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        org.snowcrash.api.ChatRequest r;
        try {
            r = binding.toSnowcrash(request);
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        Cancellation cancellation = new Cancellation();
        StreamBridge bridge = new StreamBridge(handler, new Handle(cancellation));
        try {
            executor.execute(() -> {
                try {
                    org.snowcrash.api.ChatResponse done = binding.model().stream(r, bridge, cancellation);
                    if (done.finishReason() != FinishReason.CANCELLED) {
                        bridge.completeCalls(done.toolCalls());
                        handler.onCompleteResponse(binding.toLangChain(done));
                    }
                } catch (RuntimeException e) {
                    handler.onError(Failures.translate(e));
                }
            });
        } catch (RejectedExecutionException e) {
            handler.onError(e);
        }
    }

    /** The model's name (the running model's id) and a token limit (256 unless the builder set one). */
    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return binding.defaults();
    }

    @Override
    public List<ChatModelListener> listeners() {
        return binding.listeners();
    }

    /** As {@link SnowcrashChatModel#supportedCapabilities()}: JSON schema while the serving backend honours it. */
    @Override
    public Set<Capability> supportedCapabilities() {
        return binding.capabilities();
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    /** LangChain4j's handle on one stream: cancelling it cancels that request's {@link Cancellation}. */
    private record Handle(Cancellation cancellation) implements StreamingHandle {
        @Override
        public void cancel() {
            cancellation.cancel();
        }

        @Override
        public boolean isCancelled() {
            return cancellation.isCancelled();
        }
    }

    /** Builds a {@link SnowcrashStreamingChatModel}. Not thread-safe. */
    public static final class Builder {
        private RunningModel model;
        private ChatRequestParameters defaults;
        private final List<ChatModelListener> listeners = new ArrayList<>();
        private Executor executor;

        private Builder() {
        }

        /** The running model to answer with (required); the caller keeps owning and closing it. */
        public Builder runningModel(RunningModel m) { this.model = Objects.requireNonNull(m); return this; }

        /** Parameters for every request that does not set its own (LangChain4j merges them). */
        public Builder defaultRequestParameters(ChatRequestParameters p) { this.defaults = Objects.requireNonNull(p); return this; }

        /**
         * LangChain4j listeners: told of every request (on the calling thread), response and error
         * (on the stream's thread; on the calling thread for a request refused before it starts).
         * LangChain4j logs and swallows what they throw. Keep them quick. Replaces earlier ones.
         */
        public Builder listeners(List<ChatModelListener> l) {
            listeners.clear();
            listeners.addAll(l);
            return this;
        }

        /** Where streams run; default: a pool of daemon threads that end after a minute idle. */
        public Builder executor(Executor e) { this.executor = Objects.requireNonNull(e); return this; }

        /**
         * Builds the model.
         *
         * @throws NullPointerException when no running model was set
         * @throws dev.langchain4j.exception.UnsupportedFeatureException when the default parameters ask for what Snowcrash cannot do
         */
        public SnowcrashStreamingChatModel build() {
            Binding b = Binding.of(model, defaults, listeners);
            // Daemon threads that end when idle: a model that is dropped without a close leaks nothing.
            Executor e = executor != null ? executor : Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "snowcrash-langchain4j-stream");
                t.setDaemon(true);
                return t;
            });
            return new SnowcrashStreamingChatModel(b, e);
        }
    }
}
