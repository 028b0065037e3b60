package org.snowcrash.langchain4j;

import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.snowcrash.agent.RunningModel;

import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;

/**
 * What both LangChain4j models hold: the running model they wrap, their default request
 * parameters, and their listeners. Built once by a builder, immutable.
 *
 * @param model     the running model (owned by the caller, who closes it)
 * @param defaults  complete defaults: the running model's name and a token limit, overridden by the user's
 * @param listeners LangChain4j listeners, in the order given
 */
record Binding(RunningModel model, ChatRequestParameters defaults, List<ChatModelListener> listeners) {

    /** Tokens per answer when neither the defaults nor the request set {@code maxOutputTokens}. */
    static final int DEFAULT_MAX_TOKENS = 256;

    Binding {
        Objects.requireNonNull(model, "runningModel");
        listeners = List.copyOf(listeners);
    }

    /**
     * Merges the user's defaults over the built-in ones and checks them at build time, so a
     * model built with parameters Snowcrash cannot honour fails here and not on its first request.
     */
    static Binding of(RunningModel model, ChatRequestParameters given, List<ChatModelListener> listeners) {
        Objects.requireNonNull(model, "set runningModel(...) to the RunningModel this LangChain4j model wraps");
        String name = model.info().modelId();
        ChatRequestParameters defaults = DefaultChatRequestParameters.builder()
                .modelName(name).maxOutputTokens(DEFAULT_MAX_TOKENS).build()
                .overrideWith(given == null ? DefaultChatRequestParameters.EMPTY : given);
        Parameters.check(defaults, name);
        return new Binding(model, defaults, listeners);
    }

    /** The Snowcrash request for a LangChain4j one, after refusing what cannot be honoured. */
    org.snowcrash.api.ChatRequest toSnowcrash(dev.langchain4j.model.chat.request.ChatRequest request) {
        Parameters.check(request.parameters(), modelName());
        return Messages.toSnowcrash(request, defaults.maxOutputTokens());
    }

    /**
     * What LangChain4j may ask of the serving backend: a JSON-schema response format when it
     * honours one. Asked again on each call, because a restart or fail-back may move the model to
     * another backend; AI Services asks before each request, and without it puts the schema into
     * the prompt instead of sending it.
     */
    Set<Capability> capabilities() {
        return model.capabilities().contains(org.snowcrash.api.Capability.JSON_SCHEMA)
                ? Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA) : Set.of();
    }

    /** The LangChain4j response for a Snowcrash one. */
    dev.langchain4j.model.chat.response.ChatResponse toLangChain(org.snowcrash.api.ChatResponse response) {
        return Messages.toLangChain(response, modelName());
    }

    private String modelName() {
        return defaults.modelName();
    }
}
