package org.snowcrash.langchain4j;

import org.snowcrash.api.ModelSession;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/** LangChain4j's blocking {@link ChatModel} over a Snowcrash session. */
final class SnowcrashChatModel implements ChatModel {

    private final ModelSession session;
    private final int defaultMaxTokens;

    SnowcrashChatModel(ModelSession session, int defaultMaxTokens) {
        this.session = session;
        this.defaultMaxTokens = defaultMaxTokens;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        org.snowcrash.api.ChatResponse r = session.chat(Messages.toSnowcrash(request, defaultMaxTokens));
        return Messages.toLangChain(r, session.info().modelId());
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }
}
