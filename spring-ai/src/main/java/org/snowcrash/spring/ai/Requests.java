package org.snowcrash.spring.ai;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.JsonSchema;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolSpec;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.tool.definition.ToolDefinition;

/**
 * Turns a Spring AI prompt and its merged options into a Snowcrash {@link ChatRequest}. Every
 * refusal is an {@link IllegalArgumentException} naming the option or message at fault.
 */
final class Requests {

    /** The name the {@code json_schema} response format carries (the OpenAI API wants one). */
    static final String SCHEMA_NAME = "spring_ai_output";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Requests() {
    }

    /**
     * The Snowcrash request for {@code prompt}. Tools are the options' tool callbacks, resolved by
     * Spring AI's {@link ToolCallingManager} (as every Spring AI model does), offered with
     * {@link ToolChoice#AUTO}: the model decides, and Spring AI's tool-calling advisor runs the calls.
     */
    static ChatRequest from(Prompt prompt, SnowcrashChatOptions options, ToolCallingManager tools, int defaultMaxTokens) {
        refuseUnsupported(options);
        List<ChatMessage> messages = messages(prompt.getInstructions());
        int maxTokens = options.getMaxTokens() != null ? options.getMaxTokens() : defaultMaxTokens;
        if (maxTokens < 1) {
            throw new IllegalArgumentException("options.maxTokens must be at least 1, got " + maxTokens);
        }
        Double t = options.getTemperature();
        if (t != null && !(t >= 0 && t <= 10)) {
            throw new IllegalArgumentException("options.temperature must be between 0 and 10, got " + t);
        }
        ChatRequest request = new ChatRequest(messages, maxTokens,
                t == null ? OptionalDouble.empty() : OptionalDouble.of(t),
                options.getSeed() == null ? OptionalLong.empty() : OptionalLong.of(options.getSeed()),
                options.getStopSequences() == null ? List.of() : options.getStopSequences());
        List<ToolSpec> specs = tools.resolveToolDefinitions(options).stream().map(Requests::spec).toList();
        if (!specs.isEmpty()) {
            request = request.withTools(specs, ToolChoice.AUTO);
        }
        if (options.getOutputSchema() != null) {
            request = request.withResponseFormat(ResponseFormat.jsonSchema(SCHEMA_NAME, schema(options.getOutputSchema())));
        }
        return request;
    }

    private static void refuseUnsupported(SnowcrashChatOptions o) {
        List<String> set = new ArrayList<>();
        if (o.getTopK() != null) {
            set.add("topK");
        }
        if (o.getTopP() != null) {
            set.add("topP");
        }
        if (o.getFrequencyPenalty() != null) {
            set.add("frequencyPenalty");
        }
        if (o.getPresencePenalty() != null) {
            set.add("presencePenalty");
        }
        if (!set.isEmpty()) {
            throw new IllegalArgumentException("Snowcrash does not support the chat option(s) " + String.join(", ", set)
                    + " (it honours model, temperature, maxTokens, stopSequences, seed, tools and outputSchema)");
        }
    }

    private static JsonSchema schema(String json) {
        try {
            return JsonSchema.of(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("options.outputSchema: " + e.getMessage()
                    + " (Snowcrash constrains answers to a JSON object: ask for a record or a class, not a list)", e);
        }
    }

    private static ToolSpec spec(ToolDefinition d) {
        try {
            return ToolSpec.of(d.name(), d.description() == null ? "" : d.description(), d.inputSchema());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tool '" + d.name() + "': " + e.getMessage(), e);
        }
    }

    /**
     * Spring AI's messages as Snowcrash's. Snowcrash takes at most one system message, first, so
     * several system messages (a ChatClient's default system text and a prompt's own) are joined
     * into one, in order, in front.
     */
    static List<ChatMessage> messages(List<Message> in) {
        List<String> system = new ArrayList<>();
        List<ChatMessage> rest = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            Message m = in.get(i);
            switch (m.getMessageType()) {
                case SYSTEM -> system.add(text(m));
                case USER -> {
                    if (m instanceof UserMessage u && !u.getMedia().isEmpty()) {
                        throw new IllegalArgumentException("messages[" + i + "]: Snowcrash models take text only, "
                                + "this user message carries " + u.getMedia().size() + " media item(s)");
                    }
                    rest.add(ChatMessage.user(text(m)));
                }
                case ASSISTANT -> {
                    List<ToolCall> calls = m instanceof AssistantMessage a
                            ? a.getToolCalls().stream().map(c -> new ToolCall(c.id(), c.name(), c.arguments())).toList()
                            : List.of();
                    rest.add(ChatMessage.assistant(text(m), calls));
                }
                case TOOL -> {
                    if (!(m instanceof ToolResponseMessage t)) {
                        throw new IllegalArgumentException("messages[" + i + "]: a tool message must be a ToolResponseMessage");
                    }
                    for (ToolResponseMessage.ToolResponse r : t.getResponses()) {
                        rest.add(ChatMessage.toolResult(r.id(), resultText(r.responseData())));
                    }
                }
            }
        }
        List<ChatMessage> out = new ArrayList<>();
        if (!system.isEmpty()) {
            out.add(ChatMessage.system(String.join("\n\n", system)));
        }
        out.addAll(rest);
        return out;
    }

    /**
     * A tool result as the model reads it. Spring AI hands a tool's return value over as JSON, so a
     * method returning {@code would move forward 3 meters} arrives quoted; the model reads results
     * as text ({@code Result of move: would move forward 3 meters}, docs/tool-format.md), and a
     * quoted one reads as a different answer. A JSON string is unquoted; anything else is kept.
     */
    static String resultText(String data) {
        if (data == null) {
            return "";
        }
        String t = data.strip();
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
            try {
                JsonNode node = JSON.readTree(t);
                if (node.isTextual()) {
                    return node.textValue();
                }
            } catch (JsonProcessingException e) {
                return data; // not JSON after all: the text as it came
            }
        }
        return data;
    }

    private static String text(Message m) {
        return m.getText() == null ? "" : m.getText();
    }
}
