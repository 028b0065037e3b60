package org.snowcrash.langchain4j;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

import org.snowcrash.api.Cancellation;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.ModelSession;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;

/**
 * LangChain4j's {@link StreamingChatModel} over a Snowcrash session. Each request streams on its
 * own thread; partial responses carry a {@link StreamingHandle} whose {@code cancel()} stops
 * generation at once. A cancelled stream ends without {@code onCompleteResponse}; failures
 * arrive through {@code onError} as the typed {@link org.snowcrash.api.ChatException}.
 */
final class SnowcrashStreamingChatModel implements StreamingChatModel {

    private final ModelSession session;
    private final int defaultMaxTokens;
    private final ExecutorService executor;

    SnowcrashStreamingChatModel(ModelSession session, int defaultMaxTokens, ExecutorService executor) {
        this.session = session;
        this.defaultMaxTokens = defaultMaxTokens;
        this.executor = executor;
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        org.snowcrash.api.ChatRequest r;
        try {
            r = Messages.toSnowcrash(request, defaultMaxTokens);
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        Cancellation cancellation = new Cancellation();
        StreamingHandle handle = new StreamingHandle() {
            @Override
            public void cancel() {
                cancellation.cancel();
            }

            @Override
            public boolean isCancelled() {
                return cancellation.isCancelled();
            }
        };
        PartialResponseContext context = new PartialResponseContext(handle);
        try {
            executor.execute(() -> {
                try {
                    org.snowcrash.api.ChatResponse done = session.stream(r,
                            piece -> handler.onPartialResponse(new PartialResponse(piece), context), cancellation);
                    if (done.finishReason() != FinishReason.CANCELLED) {
                        handler.onCompleteResponse(Messages.toLangChain(done, session.info().modelId()));
                    }
                } catch (RuntimeException e) {
                    handler.onError(e);
                }
            });
        } catch (RejectedExecutionException e) {
            handler.onError(new IllegalStateException("the Snowcrash model is closed", e));
        }
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }
}
