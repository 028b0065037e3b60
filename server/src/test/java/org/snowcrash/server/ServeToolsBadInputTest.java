package org.snowcrash.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.snowcrash.server.ServeTestSupport.KEY;
import static org.snowcrash.server.ServeTestSupport.chat;
import static org.snowcrash.server.ServeTestSupport.json;
import static org.snowcrash.server.ServeTestSupport.post;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Bad tool and structured-output requests against the server and the real in-process backend:
 * each is a 400 in OpenAI's error shape naming the field at fault ({@code param}), blocking and
 * streaming, and the server answers the next good request as before.
 */
class ServeToolsBadInputTest {

    static final String MOVE = "{\"type\":\"function\",\"function\":{\"name\":\"move\",\"description\":\"Drive\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"meters\":{\"type\":\"number\"}},\"required\":[\"meters\"]}}}";

    private static SnowcrashServer server;
    private static URI base;

    @BeforeAll
    static void start() {
        server = ServeTestSupport.start(ServeTestSupport.inProcess(ServeTestSupport.tempModels()));
        base = server.uri();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String tool(String name, String parameters) {
        return "{\"type\":\"function\",\"function\":{\"name\":" + ServeTestSupport.JSON.valueToTree(name)
                + ",\"parameters\":" + parameters + "}}";
    }

    static Stream<Arguments> badRequests() {
        String user = "{\"role\":\"user\",\"content\":\"go\"}";
        return Stream.of(
                Arguments.of("a tool message that answers no call",
                        "{\"model\":\"demo\",\"messages\":[" + user + ",{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
                                + "[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"move\",\"arguments\":\"{}\"}}]},"
                                + "{\"role\":\"tool\",\"tool_call_id\":\"call_2\",\"content\":\"done\"}],\"tools\":[" + MOVE + "]",
                        "invalid_value", "messages[2].tool_call_id"),
                Arguments.of("a tool message without tool_call_id",
                        "{\"model\":\"demo\",\"messages\":[" + user + ",{\"role\":\"tool\",\"content\":\"done\"}]",
                        "missing_required_parameter", "messages[1].tool_call_id"),
                Arguments.of("a tool_choice naming an unknown function",
                        chatWith("\"tools\":[" + MOVE + "],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"fly\"}}"),
                        "invalid_value", "tool_choice.function.name"),
                Arguments.of("a tool_choice that is no choice",
                        chatWith("\"tools\":[" + MOVE + "],\"tool_choice\":\"always\""), "invalid_value", "tool_choice"),
                Arguments.of("a forced call with no tools",
                        chatWith("\"tool_choice\":\"required\""), "invalid_value", "tool_choice"),
                Arguments.of("parameters that are not an object schema",
                        chatWith("\"tools\":[" + tool("move", "{\"type\":\"string\"}") + "]"),
                        "invalid_value", "tools[0].function.parameters"),
                Arguments.of("parameters that are not JSON Schema at all",
                        chatWith("\"tools\":[" + MOVE + "," + tool("turn", "{\"type\":\"object\",\"properties\":{\"deg\":{\"type\":\"banana\"}}}") + "]"),
                        "invalid_value", "tools[1].function.parameters"),
                Arguments.of("parameters that are an array",
                        chatWith("\"tools\":[" + tool("move", "[1,2]") + "]"), "invalid_value", "tools[0].function.parameters"),
                Arguments.of("a tool name with a space",
                        chatWith("\"tools\":[" + tool("move robot", "{\"type\":\"object\"}") + "]"), "invalid_value", "tools[0].function.name"),
                Arguments.of("a tool name of 65 characters",
                        chatWith("\"tools\":[" + tool("m".repeat(65), "{\"type\":\"object\"}") + "]"), "invalid_value", "tools[0].function.name"),
                Arguments.of("two tools of one name",
                        chatWith("\"tools\":[" + MOVE + "," + MOVE + "]"), "invalid_value", "tools[1].function.name"),
                Arguments.of("a tool of another type",
                        chatWith("\"tools\":[{\"type\":\"code_interpreter\"}]"), "unsupported_parameter", "tools[0].type"),
                Arguments.of("a json_schema response format without a schema",
                        chatWith("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"answer\"}}"),
                        "missing_required_parameter", "response_format.json_schema.schema"),
                Arguments.of("a json_schema response format without json_schema",
                        chatWith("\"response_format\":{\"type\":\"json_schema\"}"), "missing_required_parameter", "response_format.json_schema"),
                Arguments.of("a response schema that is not an object schema",
                        chatWith("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a\",\"schema\":{\"type\":\"array\"}}}"),
                        "invalid_value", "response_format.json_schema.schema"),
                Arguments.of("a response format name with a space",
                        chatWith("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"my answer\",\"schema\":{\"type\":\"object\"}}}"),
                        "invalid_value", "response_format.json_schema.name"),
                Arguments.of("an unknown response format",
                        chatWith("\"response_format\":{\"type\":\"xml\"}"), "invalid_value", "response_format.type"),
                Arguments.of("parallel_tool_calls that is not a boolean",
                        chatWith("\"tools\":[" + MOVE + "],\"parallel_tool_calls\":\"yes\""), "invalid_value", "parallel_tool_calls"),
                Arguments.of("tool_calls on a user message",
                        "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"go\",\"tool_calls\":[]}]",
                        "invalid_value", "messages[0].tool_calls"),
                Arguments.of("a call without an id",
                        "{\"model\":\"demo\",\"messages\":[" + user + ",{\"role\":\"assistant\",\"tool_calls\":"
                                + "[{\"type\":\"function\",\"function\":{\"name\":\"move\",\"arguments\":\"{}\"}}]}]",
                        "missing_required_parameter", "messages[1].tool_calls[0].id"),
                // Valid JSON Schema that llama.cpp's grammar converter cannot express: the backend refuses it.
                Arguments.of("a response schema the backend cannot turn into a grammar",
                        chatWith("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a\",\"schema\":"
                                + "{\"type\":\"object\",\"properties\":{\"a\":{\"not\":{\"type\":\"string\"}}}}}}"),
                        "backend_rejected", "response_format.json_schema.schema"),
                Arguments.of("tool parameters the backend cannot turn into a grammar",
                        chatWith("\"tools\":[" + tool("move", "{\"type\":\"object\",\"properties\":{\"m\":{\"type\":\"number\"}},"
                                + "\"if\":{\"required\":[\"m\"]},\"then\":{\"required\":[\"m\"]}}") + "],\"tool_choice\":\"required\""),
                        "backend_rejected", "tools"),
                // The demo model's context holds 512 tokens; these tools alone take more.
                Arguments.of("tools that cannot fit the model's context",
                        chatWith("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"move\",\"description\":\""
                                + "Drive straight ahead for the given distance. ".repeat(60) + "\",\"parameters\":{\"type\":\"object\"}}}]"),
                        "context_length_exceeded", "tools"),
                Arguments.of("the deprecated functions",
                        chatWith("\"functions\":[{\"name\":\"move\"}]"), "unsupported_parameter", "functions"));
    }

    /** A one-question request to the demo model with {@code extra} fields, unterminated (the caller closes it). */
    private static String chatWith(String extra) {
        String body = chat("demo", "drive forward 3 meters", 4, false, extra);
        return body.substring(0, body.length() - 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void aBadToolRequestIsA400NamingTheFieldAndTheServerKeepsServing(String what, String unterminated, String code,
                                                                      String param) throws Exception {
        HttpResponse<String> blocking = post(base, "/v1/chat/completions", unterminated + ",\"max_tokens\":4}", KEY);
        assertBadRequest(blocking.statusCode(), blocking.body(), code, param);

        ServeTestSupport.Stream streaming = ServeTestSupport.stream(base, unterminated + ",\"max_tokens\":4,\"stream\":true}");
        assertBadRequest(streaming.status(), streaming.errorBody(), code, param);

        assertStillServing();
    }

    /**
     * A call the model cannot get right: the schema asks for a number from 10 to 5, which the
     * grammar cannot hold (bounds on non-integers are checked after generation). The runtime
     * refuses the answer; the client gets a 502 {@code invalid_model_answer}, or, on a stream
     * whose call pieces were already sent, the same error as the stream's last event.
     */
    @Test
    void anAnswerThatBreaksTheSchemaIsA502AndIsNotHandedOver() throws Exception {
        String impossible = chatWith("\"tools\":[" + tool("move", "{\"type\":\"object\",\"properties\":{\"meters\":"
                + "{\"type\":\"number\",\"minimum\":10,\"maximum\":5}},\"required\":[\"meters\"]}") + "],\"tool_choice\":\"required\"");
        HttpResponse<String> blocking = post(base, "/v1/chat/completions", impossible + ",\"max_tokens\":48}", KEY);
        assertEquals(502, blocking.statusCode(), blocking.body());
        JsonNode e = json(blocking.body()).path("error");
        assertEquals("server_error", e.path("type").asText(), blocking.body());
        assertEquals("invalid_model_answer", e.path("code").asText(), blocking.body());
        // What was wrong depends on the weights (arguments out of bounds, or no call within the token
        // limit for the random-weight model); either way the answer broke the request and was held back.
        assertTrue(e.path("message").asText().startsWith("the model's answer broke what the request asked for"), blocking.body());

        ServeTestSupport.Stream streaming = ServeTestSupport.stream(base, impossible + ",\"max_tokens\":48,\"stream\":true}");
        List<ServeTestSupport.Event> events = streaming.events();
        ServeTestSupport.Event last = events.get(events.size() - 1);
        JsonNode streamed = streaming.status() == 200 ? last.json().path("error") : json(streaming.errorBody()).path("error");
        assertEquals("invalid_model_answer", streamed.path("code").asText(), events.toString());
        assertTrue(events.stream().noneMatch(ev -> ev.data().equals("[DONE]")), "an invalid answer never ends as a complete one");
        assertTrue(events.stream().noneMatch(ev -> ev.data().contains("\"finish_reason\":\"tool_calls\"")), events.toString());

        assertStillServing();
    }

    static void assertBadRequest(int status, String body, String code, String param) {
        assertEquals(400, status, body);
        JsonNode e = json(body).path("error");
        assertEquals("invalid_request_error", e.path("type").asText(), body);
        assertEquals(code, e.path("code").asText(), body);
        assertEquals(param, e.path("param").asText(), body);
        assertFalse(e.path("message").asText().isBlank(), body);
    }

    static void assertStillServing() throws Exception {
        assertServing(base, "llamacpp");
    }

    /** A plain question is answered in full (2 tokens) by {@code backend}. */
    static void assertServing(URI base, String backend) throws Exception {
        HttpResponse<String> ok = post(base, "/v1/chat/completions", chat("demo", "hello", 2, false), KEY);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(2, json(ok.body()).path("usage").path("completion_tokens").asInt(), ok.body());
        assertTrue(json(ok.body()).path("choices").path(0).path("message").has("content"));
        assertEquals(backend, ok.headers().firstValue("X-Snowcrash-Backend").orElse(""), ok.body());
    }
}
