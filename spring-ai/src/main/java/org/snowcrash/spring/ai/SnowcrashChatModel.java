package org.snowcrash.spring.ai;

import java.util.Objects;
import java.util.function.Supplier;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.agent.pool.ModelPool;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.FinishReason;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.MessageAggregator;
import org.springframework.ai.chat.observation.ChatModelObservationContext;
import org.springframework.ai.chat.observation.ChatModelObservationConvention;
import org.springframework.ai.chat.observation.ChatModelObservationDocumentation;
import org.springframework.ai.chat.observation.DefaultChatModelObservationConvention;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingManager;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Snowcrash as a Spring AI {@link ChatModel}: blocking {@link #call(Prompt)} and streaming
 * {@link #stream(Prompt)}, on one {@link RunningModel} (its fallback, recovery and events
 * included) or on a {@link ModelPool}, where {@link SnowcrashChatOptions#getModel()} picks any
 * catalog model per request.
 *
 * <pre>{@code
 * RunningModel llm = RunningModel.builder().model("demo").start();
 * ChatClient chat = ChatClient.create(SnowcrashChatModel.builder().runningModel(llm).build());
 * String answer = chat.prompt().user("What do you see?").call().content();
 * }</pre>
 *
 * <p><b>Tools.</b> As in every Spring AI 2 model, the model offers the tools that the options'
 * {@link org.springframework.ai.tool.ToolCallback}s describe (resolved by Spring AI's
 * {@link ToolCallingManager}) and returns the calls the model made; Spring AI's own
 * tool-calling advisor in {@code ChatClient} runs them and asks again. A backend that cannot
 * honour tools refuses the request ({@code ChatFailure.Unsupported}); a call that breaks its
 * schema fails with {@code ChatFailure.InvalidAnswer}, never reaches a tool.
 *
 * <p><b>Structured output.</b> The options' {@code outputSchema} (set by {@code ChatClient} when
 * native structured output is on, as the starter makes it by default) goes down as a
 * {@code json_schema} response format: the backend constrains the answer to the schema.
 *
 * <p><b>Metadata.</b> Usage (prompt, completion, total; the native Snowcrash usage with cached
 * prompt tokens), the finish reason ({@code STOP}, {@code LENGTH}, {@code TOOL_CALLS},
 * {@code CANCELLED}), the model id, and which backend served under {@link #METADATA_BACKEND}.
 *
 * <p><b>Observations.</b> Each request is a {@code gen_ai} chat observation through Spring AI's
 * {@link ChatModelObservationDocumentation#CHAT_MODEL_OPERATION}, provider {@value #PROVIDER}.
 *
 * <p><b>Threads.</b> Thread-safe. {@code call} blocks the calling thread; {@code stream} runs the
 * request on Reactor's bounded-elastic scheduler, and cancelling the subscription cancels the
 * request (its server slot is freed).
 */
public final class SnowcrashChatModel implements ChatModel {

    /** The {@code gen_ai.system} / provider name observations carry. */
    public static final String PROVIDER = "snowcrash";
    /** Response metadata key: the id of the backend that served ({@code docker}, {@code llamacpp}, ...). */
    public static final String METADATA_BACKEND = "snowcrash.backend";
    /** Response metadata key: the backend's own words on where it runs (container, address), when it says. */
    public static final String METADATA_BACKEND_DETAIL = "snowcrash.backend-detail";
    /** Response metadata key: prompt tokens the backend took from its prompt cache. */
    public static final String METADATA_CACHED_PROMPT_TOKENS = "snowcrash.cached-prompt-tokens";
    /** Response metadata key: wall time of the request in milliseconds. */
    public static final String METADATA_ELAPSED_MS = "snowcrash.elapsed-ms";
    /** Max tokens when neither the request's nor the default options set them. */
    public static final int DEFAULT_MAX_TOKENS = 512;

    private static final ChatModelObservationConvention DEFAULT_CONVENTION = new DefaultChatModelObservationConvention();

    private final ModelTarget target;
    private final SnowcrashChatOptions defaultOptions;
    private final ToolCallingManager toolCallingManager;
    private final ObservationRegistry observationRegistry;
    private final ChatModelObservationConvention observationConvention;

    private SnowcrashChatModel(Builder b) {
        this.target = Objects.requireNonNull(b.target, "set runningModel(...) or pool(...)");
        this.defaultOptions = b.defaultOptions;
        this.toolCallingManager = b.toolCallingManager != null ? b.toolCallingManager : ToolCallingManager.builder().build();
        this.observationRegistry = b.observationRegistry;
        this.observationConvention = b.observationConvention;
    }

    /** A builder; set {@link Builder#runningModel} or {@link Builder#pool}. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ChatResponse call(Prompt prompt) {
        Prompt request = withOptions(prompt);
        SnowcrashChatOptions options = (SnowcrashChatOptions) request.getOptions();
        ChatRequest snowcrash = Requests.from(request, options, toolCallingManager, DEFAULT_MAX_TOKENS);
        ChatModelObservationContext context = ChatModelObservationContext.builder().prompt(request).provider(PROVIDER).build();
        return ChatModelObservationDocumentation.CHAT_MODEL_OPERATION
                .observation(observationConvention, DEFAULT_CONVENTION, () -> context, observationRegistry)
                .observe(() -> {
                    String model = target.modelFor(options.getModel());
                    String id = Responses.newId();
                    org.snowcrash.api.ChatResponse answer = target.chat(model, snowcrash);
                    ChatResponse response = Responses.of(answer, id, model, target.served(model));
                    context.setResponse(response);
                    return response;
                });
    }

    @Override
    public Flux<ChatResponse> stream(Prompt prompt) {
        return Flux.deferContextual(reactorContext -> {
            Prompt request = withOptions(prompt);
            SnowcrashChatOptions options = (SnowcrashChatOptions) request.getOptions();
            ChatRequest snowcrash = Requests.from(request, options, toolCallingManager, DEFAULT_MAX_TOKENS);
            ChatModelObservationContext context = ChatModelObservationContext.builder().prompt(request).provider(PROVIDER)
                    .streaming(true).build();
            Observation observation = ChatModelObservationDocumentation.CHAT_MODEL_OPERATION
                    .observation(observationConvention, DEFAULT_CONVENTION, () -> context, observationRegistry);
            Observation parent = reactorContext.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
            observation.parentObservation(parent);
            observation.start();

            Flux<ChatResponse> pieces = Flux.<ChatResponse>create(sink -> {
                Cancellation cancellation = new Cancellation();
                sink.onCancel(cancellation::cancel);
                try {
                    String model = target.modelFor(options.getModel());
                    String id = Responses.newId();
                    org.snowcrash.api.ChatResponse answer = target.stream(model, snowcrash,
                            piece -> sink.next(Responses.piece(piece, id, model)), cancellation);
                    if (answer.finishReason() != FinishReason.CANCELLED) {
                        sink.next(Responses.last(answer, id, model, target.served(model)));
                    }
                    sink.complete();
                } catch (RuntimeException e) {
                    sink.error(e);
                }
            }).subscribeOn(Schedulers.boundedElastic())
                    .doOnError(observation::error)
                    .doFinally(signal -> observation.stop())
                    .contextWrite(ctx -> ctx.put(ObservationThreadLocalAccessor.KEY, observation));
            return new MessageAggregator().aggregate(pieces, context::setResponse);
        });
    }

    /** The default options: what {@code ChatClient} starts every request's options from. */
    @Override
    public SnowcrashChatOptions getOptions() {
        return defaultOptions;
    }

    /** The prompt with the defaults under its own options (Spring AI's {@code ChatClient} has merged them already). */
    private Prompt withOptions(Prompt prompt) {
        return prompt.mutate().chatOptions(defaultOptions.overriddenBy(prompt.getOptions())).build();
    }

    @Override
    public String toString() {
        return "SnowcrashChatModel[" + target.getClass().getSimpleName() + ", " + defaultOptions + "]";
    }

    /** Builds a {@link SnowcrashChatModel}. Not thread-safe. */
    public static final class Builder {
        private ModelTarget target;
        private SnowcrashChatOptions defaultOptions = SnowcrashChatOptions.builder().build();
        private ToolCallingManager toolCallingManager;
        private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;
        private ChatModelObservationConvention observationConvention = DEFAULT_CONVENTION;

        private Builder() {
        }

        /** Serve every request on this started model (the caller keeps closing it). */
        public Builder runningModel(RunningModel model) {
            Objects.requireNonNull(model, "model");
            this.target = new ModelTarget.Running(() -> model);
            return this;
        }

        /**
         * Serve every request on the model this supplier gives, asked on each request: a memoizing
         * supplier that starts the model on its first call makes a lazy start. It may throw the
         * start's exceptions; they reach the request that asked.
         */
        public Builder runningModel(Supplier<RunningModel> model) {
            this.target = new ModelTarget.Running(model);
            return this;
        }

        /**
         * Serve requests from the pool: the options' model picks the catalog model, {@code defaultModel}
         * when they name none (the caller keeps closing the pool).
         */
        public Builder pool(ModelPool pool, String defaultModel) {
            this.target = new ModelTarget.Pooled(pool, defaultModel);
            return this;
        }

        /** Options every request starts from; default: nothing set (max tokens {@value SnowcrashChatModel#DEFAULT_MAX_TOKENS}). */
        public Builder defaultOptions(SnowcrashChatOptions options) {
            this.defaultOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /** Resolves tool callbacks into tool definitions; default: Spring AI's default manager. */
        public Builder toolCallingManager(ToolCallingManager manager) {
            this.toolCallingManager = Objects.requireNonNull(manager, "manager");
            return this;
        }

        /** Where chat observations go; default: none. */
        public Builder observationRegistry(ObservationRegistry registry) {
            this.observationRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** A convention of the application's own for the observations' names and tags; default: Spring AI's. */
        public Builder observationConvention(ChatModelObservationConvention convention) {
            this.observationConvention = Objects.requireNonNull(convention, "convention");
            return this;
        }

        /** The model. */
        public SnowcrashChatModel build() {
            return new SnowcrashChatModel(this);
        }
    }
}
