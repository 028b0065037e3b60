package org.snowcrash.openai.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ToolCall;

/**
 * What the reader takes besides the shape {@link RequestJson} writes, and how it refuses: every
 * refusal names the field at fault, in OpenAI's terms. (The server's 400s over HTTP, with real
 * clients, are tested in the server module.)
 */
class RequestReaderTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static WireRequest read(String json) throws Exception {
        return RequestReader.read(MAPPER.readTree(json), 64, schema -> Optional.empty());
    }

    private static FieldRefusal refused(String json) {
        return assertThrows(FieldRefusal.class, () -> read(json));
    }

    @Test
    void readsWhatOtherClientsSendBesides() throws Exception {
        WireRequest r = read("{\"model\":\" demo \",\"messages\":[{\"role\":\"system\",\"content\":\"a\"},"
                + "{\"role\":\"developer\",\"content\":\"b\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"x\"},"
                + "{\"type\":\"text\",\"text\":\"y\"}]},{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\","
                + "\"function\":{\"name\":\"go\",\"arguments\":{\"to\":1}}}]},{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"ok\"}],"
                + "\"max_tokens\":5,\"max_completion_tokens\":7,\"stop\":\"END\"}");
        assertEquals("demo", r.model());
        assertEquals(List.of(ChatMessage.system("a\n\nb"), ChatMessage.user("x\ny"),
                ChatMessage.assistant("", List.of(new ToolCall("c1", "go", "{\"to\":1}"))), ChatMessage.toolResult("c1", "ok")),
                r.request().messages());
        assertEquals(7, r.request().maxTokens(), "the newer name wins");
        assertEquals(List.of("END"), r.request().stop());
        assertEquals(false, r.stream());
        assertEquals(64, read("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").request().maxTokens(),
                "the default limit when none is named");
    }

    @Test
    void eachRefusalNamesTheFieldAtFault() {
        FieldRefusal noModel = refused("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals("model", noModel.param());
        assertEquals("missing_required_parameter", noModel.code());
        assertEquals(org.snowcrash.api.SnowcrashException.Kind.BAD_INPUT, noModel.kind(), "in the family callers catch");

        FieldRefusal orphan = refused("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"nope\",\"content\":\"x\"}]}");
        assertEquals("messages[1].tool_call_id", orphan.param());
        assertEquals("invalid_value", orphan.code());

        FieldRefusal image = refused("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}");
        assertEquals("messages[0].content", image.param());
        assertEquals("unsupported_parameter", image.code());
        assertEquals("'messages[0].content' only text parts are supported, not 'image_url'", image.getMessage());

        FieldRefusal choice = refused("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tool_choice\":\"required\"}");
        assertEquals("tool_choice", choice.param());

        FieldRefusal temperature = refused("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":3}");
        assertEquals("temperature", temperature.param());
    }

    @Test
    void theCallersSchemaCheckRefusesASchemaByItsField() throws Exception {
        JsonNode root = MAPPER.readTree("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":["
                + "{\"type\":\"function\",\"function\":{\"name\":\"a\",\"parameters\":{\"type\":\"object\"}}},"
                + "{\"type\":\"function\",\"function\":{\"name\":\"b\",\"parameters\":{\"type\":\"object\",\"minProperties\":\"x\"}}}]}");
        FieldRefusal e = assertThrows(FieldRefusal.class, () -> RequestReader.read(root, 8,
                schema -> schema.json().contains("minProperties") ? Optional.of("minProperties must be a number") : Optional.empty()));
        assertEquals("tools[1].function.parameters", e.param());
        assertEquals("tools[1].function.parameters is not a valid JSON Schema: minProperties must be a number", e.getMessage());
    }
}
