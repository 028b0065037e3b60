package org.snowcrash.langchain4j;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.snowcrash.agent.Attempt;
import org.snowcrash.agent.StartRequest;
import org.snowcrash.agent.Launch;
import org.snowcrash.api.EventSink;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.SessionInfo;
import org.snowcrash.api.Settings;
import org.snowcrash.registry.Configuration;
import org.snowcrash.registry.Discovery;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;

/**
 * A Snowcrash model for LangChain4j: starts the model on the first backend that can (priority
 * and fallback, as everywhere in Snowcrash), and hands out a {@link ChatModel} and a
 * {@link StreamingChatModel} over it, so AI services, memories and chains run on it unchanged.
 *
 * <pre>{@code
 * try (SnowcrashLangChain4j llm = SnowcrashLangChain4j.builder().model("llama").start()) {
 *     Assistant a = AiServices.create(Assistant.class, llm.chatModel());
 *     a.chat("Hello");
 * }
 * }</pre>
 *
 * Conversation memory is LangChain4j's business here; requests are passed as they are. Close it
 * to stop the model (its container is removed). Thread-safe.
 */
public final class SnowcrashLangChain4j implements AutoCloseable {

    private final ModelSession session;
    private final List<Attempt> attempts;
    private final int defaultMaxTokens;
    private final ExecutorService streams;

    private SnowcrashLangChain4j(Launch launch, int defaultMaxTokens) {
        this.session = launch.session();
        this.attempts = launch.attempts();
        this.defaultMaxTokens = defaultMaxTokens;
        // Streaming in LangChain4j is asynchronous: each stream runs on its own daemon thread.
        this.streams = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "snowcrash-langchain4j-stream");
            t.setDaemon(true);
            return t;
        });
    }

    /** A builder; nothing starts until {@link Builder#start()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A blocking LangChain4j chat model over the running model. */
    public ChatModel chatModel() {
        return new SnowcrashChatModel(session, defaultMaxTokens);
    }

    /** A streaming LangChain4j chat model over the running model. */
    public StreamingChatModel streamingChatModel() {
        return new SnowcrashStreamingChatModel(session, defaultMaxTokens, streams);
    }

    /** Which backend serves which model. */
    public SessionInfo info() {
        return session.info();
    }

    /** Every backend considered at start, in order. */
    public List<Attempt> attempts() {
        return attempts;
    }

    /** Stops the model; the chat models fail afterwards. Idempotent. */
    @Override
    public void close() {
        streams.shutdownNow();
        session.close();
    }

    /** Configures and starts a {@link SnowcrashLangChain4j}. */
    public static final class Builder {
        private Settings settings;
        private String modelId = "demo";
        private ModelSpec spec;
        private String backendId;
        private int maxTokens = 256;
        private EventSink events = EventSink.NONE;
        private Discovery discovery;

        private Builder() {
        }

        /** Configuration; default: loaded as the README says, with no file or flags given. */
        public Builder settings(Settings s) { this.settings = s; return this; }
        /** The catalog model (default {@code demo}). */
        public Builder model(String id) { this.modelId = Objects.requireNonNull(id); return this; }
        /** A spec instead of a catalog model. */
        public Builder spec(ModelSpec s) { this.spec = s; return this; }
        /** Force one backend by id. */
        public Builder backend(String id) { this.backendId = id; return this; }
        /** Tokens per answer when a request does not set {@code maxOutputTokens} (default 256). */
        public Builder maxTokens(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxTokens must be at least 1");
            }
            this.maxTokens = n;
            return this;
        }
        /** Where start-up events go (backend starting, ready, fallback, served-by). */
        public Builder events(EventSink sink) { this.events = Objects.requireNonNull(sink); return this; }
        /** Use these backends instead of discovering. */
        public Builder discovery(Discovery d) { this.discovery = d; return this; }

        /** Starts the model; throws as {@link org.snowcrash.agent.Agent.Builder#start()} does. */
        public SnowcrashLangChain4j start() {
            return new SnowcrashLangChain4j(new StartRequest(settings, modelId, spec, backendId, discovery).resolve()
                    .launch(events), maxTokens);
        }
    }
}
