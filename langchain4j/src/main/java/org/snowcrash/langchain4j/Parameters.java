package org.snowcrash.langchain4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.snowcrash.api.JsonSchema;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.api.ToolSpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;

/**
 * Maps LangChain4j's request parameters to Snowcrash's: tool specifications, tool choice and
 * response format; refuses the sampling knobs Snowcrash does not carry. Stateless.
 */
final class Parameters {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The name a JSON-schema response format gets when LangChain4j's schema has none. */
    static final String DEFAULT_FORMAT_NAME = "response";

    private Parameters() {
    }

    /**
     * Refuses what Snowcrash does not carry, so that nothing a caller asked for is silently dropped:
     * top-p, top-k, penalties, and a model name other than the one running. Tools and the response
     * format are checked by converting them ({@link #tools}, {@link #format}).
     *
     * @throws UnsupportedFeatureException for a sampling parameter Snowcrash does not carry
     * @throws InvalidRequestException     for a model name this model does not answer to, or a tool
     *                                     or schema Snowcrash cannot take (the message names it)
     */
    static void check(ChatRequestParameters p, String runningModel) {
        unsupported("topP", p.topP());
        unsupported("topK", p.topK());
        unsupported("frequencyPenalty", p.frequencyPenalty());
        unsupported("presencePenalty", p.presencePenalty());
        if (p.modelName() != null && !p.modelName().equals(runningModel)) {
            throw new InvalidRequestException("this Snowcrash model runs '" + runningModel + "' and cannot answer as '"
                    + p.modelName() + "'; start a RunningModel for that model instead");
        }
        tools(p.toolSpecifications());
        format(p.responseFormat());
    }

    private static void unsupported(String name, Object value) {
        if (value != null) {
            throw new UnsupportedFeatureException("Snowcrash backends do not support the '" + name + "' parameter");
        }
    }

    /**
     * Snowcrash's tools for LangChain4j's specifications (none for {@code null}): the name, the
     * description (empty when absent) and the parameters as JSON Schema text; a tool without
     * parameters takes an empty object.
     *
     * @throws InvalidRequestException naming the tool whose name or schema Snowcrash cannot take
     */
    static List<ToolSpec> tools(List<ToolSpecification> specs) {
        List<ToolSpec> tools = new ArrayList<>();
        for (ToolSpecification s : specs == null ? List.<ToolSpecification>of() : specs) {
            try {
                JsonSchema parameters = s.parameters() == null
                        ? JsonSchema.of("{\"type\":\"object\",\"properties\":{}}")
                        : schema(s.parameters());
                tools.add(new ToolSpec(s.name(), s.description() == null ? "" : s.description(), parameters));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("tool '" + s.name() + "': " + e.getMessage(), e);
            }
        }
        return tools;
    }

    /**
     * Snowcrash's tool choice for LangChain4j's: {@code null} and AUTO are {@code auto}, REQUIRED is
     * {@code required} (with one tool offered that is a call to that tool), NONE is {@code none}.
     */
    static ToolChoice choice(dev.langchain4j.model.chat.request.ToolChoice choice) {
        if (choice == null) {
            return ToolChoice.AUTO;
        }
        return switch (choice) {
            case AUTO -> ToolChoice.AUTO;
            case REQUIRED -> ToolChoice.REQUIRED;
            case NONE -> ToolChoice.NONE;
        };
    }

    /**
     * Snowcrash's response format for LangChain4j's: {@code null} and TEXT are free text; JSON
     * without a schema is any JSON object; JSON with a schema is that schema, strict (Snowcrash
     * always constrains generation and validates the answer), under the schema's name made
     * OpenAI-safe.
     *
     * @throws InvalidRequestException when the schema does not describe an object (Snowcrash's
     *                                 structured answers are JSON objects)
     */
    static ResponseFormat format(dev.langchain4j.model.chat.request.ResponseFormat format) {
        if (format == null || format.type() == ResponseFormatType.TEXT) {
            return ResponseFormat.TEXT;
        }
        dev.langchain4j.model.chat.request.json.JsonSchema schema = format.jsonSchema();
        if (schema == null) {
            return ResponseFormat.JSON_OBJECT;
        }
        try {
            return new ResponseFormat.JsonSchemaFormat(formatName(schema.name()), schema(schema.rootElement()), true);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("response format '" + schema.name() + "': " + e.getMessage(), e);
        }
    }

    /**
     * The JSON Schema text of a LangChain4j schema element, written by LangChain4j's own converter
     * ({@code JsonSchemaElementUtils.toMap}, which its providers use for the same job) so that a
     * schema means here what it means to LangChain4j's other models. Non-strict: what the caller
     * marked required stays required and the rest optional (OpenAI's strict mode would make every
     * field required and nullable instead).
     *
     * @throws IllegalArgumentException when the element is not an object schema
     */
    static JsonSchema schema(JsonSchemaElement element) {
        if (element == null) {
            throw new IllegalArgumentException("the schema has no root element");
        }
        if (!(element instanceof JsonObjectSchema)) {
            throw new IllegalArgumentException("the schema's root must be an object schema, got "
                    + element.getClass().getSimpleName());
        }
        Map<String, Object> map = JsonSchemaElementUtils.toMap(element, false);
        try {
            return JsonSchema.of(JSON.writeValueAsString(map));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the schema could not be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The name an OpenAI-compatible server accepts ({@code [a-zA-Z0-9_-]{1,64}}): LangChain4j names
     * a record's schema after its class, which may hold {@code $} or dots for nested types.
     */
    static String formatName(String name) {
        if (name == null || name.isBlank()) {
            return DEFAULT_FORMAT_NAME;
        }
        String safe = name.replaceAll("[^a-zA-Z0-9_-]", "_");
        return safe.length() > 64 ? safe.substring(0, 64) : safe;
    }
}
