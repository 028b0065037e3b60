package org.snowcrash.spring.ai;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.model.tool.DefaultToolCallingChatOptions;
import org.springframework.ai.model.tool.StructuredOutputChatOptions;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;

/**
 * The Spring AI chat options Snowcrash honours: the model (a catalog id such as {@code demo} or
 * {@code phi-3}), temperature, max tokens, stop sequences and a seed; the tools to offer (Spring
 * AI's {@link ToolCallback}s, {@code @Tool} methods included); and the JSON schema a structured
 * answer must match ({@link StructuredOutputChatOptions}, sent as a {@code json_schema} response
 * format, so the backend constrains the answer instead of the prompt asking for it).
 *
 * <p>Top-K, top-P and the penalties are part of Spring AI's options interface but not of
 * Snowcrash's request: a request that sets one is refused with an error naming it, never
 * silently sent without it.
 *
 * <p>Immutable; {@link #mutate()} gives a builder with the same values.
 */
public final class SnowcrashChatOptions extends DefaultToolCallingChatOptions implements StructuredOutputChatOptions {

    private final @Nullable Long seed;
    private final @Nullable String outputSchema;

    private SnowcrashChatOptions(@Nullable List<ToolCallback> toolCallbacks, @Nullable Map<String, Object> toolContext,
                                 @Nullable String model, @Nullable Double frequencyPenalty, @Nullable Integer maxTokens,
                                 @Nullable Double presencePenalty, @Nullable List<String> stopSequences,
                                 @Nullable Double temperature, @Nullable Integer topK, @Nullable Double topP,
                                 @Nullable Long seed, @Nullable String outputSchema) {
        super(toolCallbacks, toolContext, model, frequencyPenalty, maxTokens, presencePenalty, stopSequences, temperature,
                topK, topP);
        this.seed = seed;
        this.outputSchema = outputSchema;
    }

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** The sampling seed, or {@code null} for a random one. */
    public @Nullable Long getSeed() {
        return seed;
    }

    /** The JSON schema the answer must match, or {@code null} for free text. */
    @Override
    public @Nullable String getOutputSchema() {
        return outputSchema;
    }

    @Override
    public Builder mutate() {
        Builder b = new Builder().model(getModel()).frequencyPenalty(getFrequencyPenalty()).maxTokens(getMaxTokens())
                .presencePenalty(getPresencePenalty()).stopSequences(getStopSequences()).temperature(getTemperature())
                .topK(getTopK()).topP(getTopP()).toolCallbacks(getToolCallbacks()).toolContext(getToolContext());
        return b.seed(seed).outputSchema(outputSchema);
    }

    /**
     * These options with every value that {@code overrides} sets put on top: a request's options over
     * the model's defaults. Tool callbacks and the tool context of a request replace the defaults'
     * rather than adding to them, as Spring AI's own models do.
     */
    public SnowcrashChatOptions overriddenBy(@Nullable ChatOptions overrides) {
        if (overrides == null) {
            return this;
        }
        Builder b = mutate();
        if (overrides.getModel() != null) {
            b.model(overrides.getModel());
        }
        if (overrides.getMaxTokens() != null) {
            b.maxTokens(overrides.getMaxTokens());
        }
        if (overrides.getTemperature() != null) {
            b.temperature(overrides.getTemperature());
        }
        if (overrides.getStopSequences() != null) {
            b.stopSequences(overrides.getStopSequences());
        }
        b.frequencyPenalty(firstNonNull(overrides.getFrequencyPenalty(), getFrequencyPenalty()));
        b.presencePenalty(firstNonNull(overrides.getPresencePenalty(), getPresencePenalty()));
        b.topK(firstNonNull(overrides.getTopK(), getTopK()));
        b.topP(firstNonNull(overrides.getTopP(), getTopP()));
        if (overrides instanceof ToolCallingChatOptions t) {
            b.toolCallbacks(ToolCallingChatOptions.mergeToolCallbacks(t.getToolCallbacks(), getToolCallbacks()));
            b.toolContext(ToolCallingChatOptions.mergeToolContext(t.getToolContext(), getToolContext()));
        }
        if (overrides instanceof StructuredOutputChatOptions s && s.getOutputSchema() != null) {
            b.outputSchema(s.getOutputSchema());
        }
        if (overrides instanceof SnowcrashChatOptions s && s.getSeed() != null) {
            b.seed(s.getSeed());
        }
        return b.build();
    }

    private static <T> @Nullable T firstNonNull(@Nullable T a, @Nullable T b) {
        return a != null ? a : b;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof SnowcrashChatOptions that && super.equals(o) && Objects.equals(seed, that.seed)
                && Objects.equals(outputSchema, that.outputSchema);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), seed, outputSchema);
    }

    @Override
    public String toString() {
        return "SnowcrashChatOptions[model=" + getModel() + ", maxTokens=" + getMaxTokens() + ", temperature="
                + getTemperature() + ", stop=" + getStopSequences() + ", seed=" + seed + ", tools="
                + (getToolCallbacks() == null ? 0 : getToolCallbacks().size()) + ", outputSchema="
                + (outputSchema != null) + "]";
    }

    /**
     * Builds {@link SnowcrashChatOptions}. Spring AI's {@code ChatClient} builds request options
     * through {@link #mutate()} of the model's defaults, so every setter of the Spring AI builder
     * interfaces works here. Not thread-safe.
     */
    public static final class Builder extends DefaultToolCallingChatOptions.Builder<Builder>
            implements StructuredOutputChatOptions.Builder<Builder> {

        private @Nullable Long seed;
        private @Nullable String outputSchema;

        private Builder() {
        }

        /** The sampling seed; {@code null} for a random one. */
        public Builder seed(@Nullable Long seed) {
            this.seed = seed;
            return this;
        }

        /** The JSON schema the answer must match; {@code null} for free text. */
        @Override
        public Builder outputSchema(@Nullable String outputSchema) {
            this.outputSchema = outputSchema;
            return this;
        }

        @Override
        public Builder combineWith(ChatOptions.Builder<?> other) {
            super.combineWith(other);
            if (other instanceof Builder that) {
                if (that.seed != null) {
                    this.seed = that.seed;
                }
                if (that.outputSchema != null) {
                    this.outputSchema = that.outputSchema;
                }
            }
            return this;
        }

        @Override
        public Builder toolCallbacks(@Nullable List<ToolCallback> toolCallbacks) {
            return super.toolCallbacks(toolCallbacks);
        }

        @Override
        public Builder toolContext(@Nullable Map<String, Object> context) {
            return super.toolContext(context);
        }

        @Override
        public SnowcrashChatOptions build() {
            return new SnowcrashChatOptions(toolCallbacks, toolContext, model, frequencyPenalty, maxTokens, presencePenalty,
                    stopSequences, temperature, topK, topP, seed, outputSchema);
        }
    }
}
