package org.snowcrash.langchain4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.snowcrash.agent.RunningModel;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * LangChain4j's blocking {@link ChatModel} over a Snowcrash {@link RunningModel}, built like
 * LangChain4j's own providers: a builder with {@code defaultRequestParameters(...)} and
 * {@code listeners(...)}; LangChain4j's {@code chat()} template merges the defaults into each
 * request, tells the listeners ({@code onRequest}, then {@code onResponse} or {@code onError}) and
 * calls {@link #doChat}.
 *
 * <pre>{@code
 * try (RunningModel llama = RunningModel.builder().model("llama").start()) {
 *     ChatModel model = SnowcrashChatModel.builder().runningModel(llama)
 *             .defaultRequestParameters(ChatRequestParameters.builder().maxOutputTokens(128).build())
 *             .listeners(List.of(myListener)).build();
 *     String answer = model.chat("Hello");
 * }
 * }</pre>
 *
 * <p>Tools and structured answers: a request's tool specifications, tool choice (AUTO, REQUIRED,
 * NONE) and response format (TEXT, JSON, JSON with a schema) go to the backend, which must honour
 * them or refuse ({@link dev.langchain4j.exception.UnsupportedFeatureException}); the answer's calls
 * come back as tool execution requests with {@code FinishReason.TOOL_EXECUTION}, and tool results
 * go back as {@code ToolExecutionResultMessage}s, so LangChain4j's AI Services run their own tool
 * loop on it. See {@code docs/langchain4j-tools.md}.
 *
 * <p>Backend choice, fallback and recovery are the running model's: when its backend dies the
 * request fails with {@link org.snowcrash.api.ChatException} ({@code BackendGone}) and the next
 * one is served by a restarted backend. The running model belongs to the caller, who closes it;
 * this class holds nothing else. Thread-safe: requests from several threads run at once.
 */
public final class SnowcrashChatModel implements ChatModel {

    private final Binding binding;

    private SnowcrashChatModel(Binding binding) {
        this.binding = binding;
    }

    /** A builder; {@link Builder#runningModel} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Answers one request whose parameters LangChain4j's {@code chat()} already merged with
     * {@link #defaultRequestParameters()}. Blocks until the whole answer is there.
     *
     * @throws org.snowcrash.api.ChatException when the backend fails (its failure says how)
     * @throws dev.langchain4j.exception.UnsupportedFeatureException for top-p/top-k or penalties, and for
     *         tools or a JSON format the serving backend does not honour
     * @throws dev.langchain4j.exception.InvalidRequestException for a tool, schema or conversation
     *         Snowcrash cannot take (the message names it)
     * @throws InvalidAnswerException when the model's answer broke the request (an unknown tool,
     *         arguments or JSON not valid against their schema); nothing of it is returned
     */
    @Override
    public ChatResponse doChat(ChatRequest request) {
        org.snowcrash.api.ChatRequest r = binding.toSnowcrash(request);
        try {
            return binding.toLangChain(binding.model().chat(r));
        } catch (RuntimeException e) {
            throw Failures.translate(e);
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

    /**
     * {@code RESPONSE_FORMAT_JSON_SCHEMA} while the serving backend honours a JSON schema (so AI
     * Services sends the schema of a record return type, and constrained generation holds the
     * answer to it); none otherwise. Never blocks.
     */
    @Override
    public Set<Capability> supportedCapabilities() {
        return binding.capabilities();
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    /** Builds a {@link SnowcrashChatModel}. Not thread-safe. */
    public static final class Builder {
        private RunningModel model;
        private ChatRequestParameters defaults;
        private final List<ChatModelListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /** The running model to answer with (required); the caller keeps owning and closing it. */
        public Builder runningModel(RunningModel m) { this.model = Objects.requireNonNull(m); return this; }

        /** Parameters for every request that does not set its own (LangChain4j merges them). */
        public Builder defaultRequestParameters(ChatRequestParameters p) { this.defaults = Objects.requireNonNull(p); return this; }

        /**
         * LangChain4j listeners: told of every request, response and error, on the calling thread
         * (LangChain4j logs and swallows what they throw). Keep them quick. Replaces earlier ones.
         */
        public Builder listeners(List<ChatModelListener> l) {
            listeners.clear();
            listeners.addAll(l);
            return this;
        }

        /**
         * Builds the model.
         *
         * @throws NullPointerException when no running model was set
         * @throws dev.langchain4j.exception.UnsupportedFeatureException when the default parameters ask for what Snowcrash cannot do
         */
        public SnowcrashChatModel build() {
            return new SnowcrashChatModel(Binding.of(model, defaults, listeners));
        }
    }
}
