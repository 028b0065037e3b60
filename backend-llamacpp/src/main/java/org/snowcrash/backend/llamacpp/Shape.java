package org.snowcrash.backend.llamacpp;

import java.util.List;

import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.ToolChoice;

/**
 * What an answer must look like, and so how the in-process backend generates it (the table is in
 * docs/backend-inprocess-tools.md).
 */
sealed interface Shape {

    /** Free text, no grammar. */
    record Text() implements Shape {
    }

    /** One JSON answer, under {@code grammar}. */
    record Json(String grammar) implements Shape {
    }

    /** Calls only, under {@code grammar} ({@code tool_choice} required or a named function). */
    record Calls(String grammar) implements Shape {
    }

    /**
     * {@code tool_choice} auto with a text answer allowed: generated free until the answer's first
     * non-blank character, and again under {@code callGrammar} if that is <code>{</code>.
     */
    record TextOrCalls(String callGrammar) implements Shape {
    }

    /** {@code tool_choice} auto with a JSON response format: calls or the JSON answer, under {@code grammar}. */
    record JsonOrCalls(String grammar) implements Shape {
    }

    /**
     * The shape {@code request} asks for. Tools offered with {@code tool_choice} none are not
     * shown to the model at all, so they shape nothing.
     *
     * @throws Grammars.UnusableSchema when a schema cannot be turned into a grammar
     */
    static Shape of(ChatRequest request, Grammars grammars) {
        ResponseFormat format = request.responseFormat();
        if (!request.offersTools()) {
            return format.isJson() ? new Json(grammars.answer(format)) : new Text();
        }
        boolean parallel = request.parallelToolCalls();
        if (request.toolChoice() instanceof ToolChoice.Named n) {
            return new Calls(grammars.calls(List.of(request.tool(n.name()).orElseThrow()), parallel));
        }
        if (request.toolChoice() instanceof ToolChoice.Required) {
            return new Calls(grammars.calls(request.tools(), parallel));
        }
        return format.isJson()
                ? new JsonOrCalls(grammars.callsOrAnswer(request.tools(), parallel, format))
                : new TextOrCalls(grammars.calls(request.tools(), parallel));
    }
}
