package org.snowcrash.langchain4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.snowcrash.api.TokenSink;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolCallDelta;

import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;

/**
 * Hands one Snowcrash stream to a LangChain4j handler: text pieces as partial responses, pieces of
 * thinking as partial thinking, pieces of tool calls as partial tool calls (each carrying its
 * call's id and name, as LangChain4j's own providers send them). Used by one stream, on its thread.
 */
final class StreamBridge implements TokenSink {

    private final StreamingChatResponseHandler handler;
    private final PartialResponseContext responseContext;
    private final PartialThinkingContext thinkingContext;
    private final PartialToolCallContext toolCallContext;
    /** Id and name of each call by index: only a call's first delta carries them. */
    private final Map<Integer, ToolCallDelta> opened = new HashMap<>();

    StreamBridge(StreamingChatResponseHandler handler, StreamingHandle handle) {
        this.handler = handler;
        this.responseContext = new PartialResponseContext(handle);
        this.thinkingContext = new PartialThinkingContext(handle);
        this.toolCallContext = new PartialToolCallContext(handle);
    }

    @Override
    public void accept(String piece) {
        handler.onPartialResponse(new PartialResponse(piece), responseContext);
    }

    @Override
    public void reasoning(String piece) {
        handler.onPartialThinking(new PartialThinking(piece), thinkingContext);
    }

    @Override
    public void toolCall(ToolCallDelta delta) {
        if (delta.opensCall()) {
            opened.put(delta.index(), delta);
        }
        if (delta.arguments().isEmpty()) {
            // LangChain4j refuses a partial tool call without arguments; the id and name it would
            // carry go with the next piece instead.
            return;
        }
        ToolCallDelta first = opened.getOrDefault(delta.index(), delta);
        handler.onPartialToolCall(PartialToolCall.builder().index(delta.index()).id(first.id()).name(first.name())
                .partialArguments(delta.arguments()).build(), toolCallContext);
    }

    /**
     * Tells the handler of each finished call, in order. Called with the completed response's
     * calls, which the runtime has checked against the request (tool offered, arguments valid), so a
     * call LangChain4j may run is never one the check would refuse; that is why calls are completed
     * here, at the end, and not as soon as the next one opens.
     */
    void completeCalls(List<ToolCall> calls) {
        for (int i = 0; i < calls.size(); i++) {
            handler.onCompleteToolCall(new CompleteToolCall(i, Messages.request(calls.get(i))));
        }
    }
}
