package org.snowcrash.tools;

import java.util.List;
import java.util.Optional;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolSpec;

/**
 * Checks an answer against what its request asked for, whatever backend produced it: every call is
 * to an offered tool with arguments valid against its schema, a forced call was made, a JSON answer
 * is JSON valid against its schema. Runs before any front end hands an answer over, so an invalid
 * call never reaches an actuator. Stateless.
 */
public final class AnswerCheck {

    private AnswerCheck() {
    }

    /** What is wrong with {@code response} as an answer to {@code request}, or empty when nothing is. */
    public static Optional<ChatFailure.InvalidAnswer> problem(ChatRequest request, ChatResponse response) {
        if (response.finishReason() == FinishReason.CANCELLED) {
            return Optional.empty();
        }
        if (response.hasToolCalls()) {
            return callsProblem(request, response.toolCalls());
        }
        if (request.toolChoice().forcesCall()) {
            return invalid("tool_choice " + request.toolChoice().describe() + " asks for a call, and the answer is text"
                    + (response.finishReason() == FinishReason.LENGTH ? " cut at the token limit" : ""), response.text());
        }
        ResponseFormat format = request.responseFormat();
        if (format.isJson()) {
            String text = response.text().strip();
            if (response.finishReason() == FinishReason.LENGTH) {
                return invalid("the JSON answer was cut at the token limit (" + request.maxTokens() + " tokens)", text);
            }
            if (!text.startsWith("{") || Json.parse(text).filter(n -> n.isObject()).isEmpty()) {
                return invalid("the answer is not one JSON object", text);
            }
            if (format instanceof ResponseFormat.JsonSchemaFormat s) {
                List<String> problems = SchemaCheck.problems(s.schema(), text);
                if (!problems.isEmpty()) {
                    return invalid(s.name() + ": " + String.join("; ", problems), text);
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<ChatFailure.InvalidAnswer> callsProblem(ChatRequest request, List<ToolCall> calls) {
        if (!request.offersTools()) {
            return invalid("the answer calls " + calls.get(0).name() + " but no tool may be called", calls.get(0).arguments());
        }
        if (!request.parallelToolCalls() && calls.size() > 1) {
            return invalid(calls.size() + " calls in one answer, and parallel_tool_calls is false", calls.get(1).arguments());
        }
        for (ToolCall call : calls) {
            Optional<ToolSpec> tool = request.tool(call.name());
            if (tool.isEmpty()) {
                return invalid("the answer calls " + call.name() + ", which is not among the tools offered", call.arguments());
            }
            if (request.toolChoice() instanceof ToolChoice.Named n && !n.name().equals(call.name())) {
                return invalid("tool_choice asks for " + n.name() + " and the answer calls " + call.name(), call.arguments());
            }
            List<String> problems = SchemaCheck.problems(tool.get().parameters(), call.arguments());
            if (!problems.isEmpty()) {
                return invalid(call.name() + ": " + String.join("; ", problems), call.arguments());
            }
        }
        return Optional.empty();
    }

    private static Optional<ChatFailure.InvalidAnswer> invalid(String what, String answer) {
        return Optional.of(new ChatFailure.InvalidAnswer(what, answer));
    }
}
