package org.snowcrash.spring.boot.starter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.snowcrash.api.JsonSchema;
import org.snowcrash.spring.ai.SnowcrashChatModel;
import org.snowcrash.spring.ai.SnowcrashChatOptions;
import org.snowcrash.tools.SchemaCheck;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ResponseEntity;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.converter.BeanOutputConverter;

/**
 * The checks every run of the test application passes, whichever backend serves it: each talks
 * to the application as its users do (a {@code ChatClient} from the context's builder, real HTTP
 * to Actuator).
 */
final class ApplicationChecks {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private ApplicationChecks() {
    }

    /** A prompt gets an answer, with usage, the finish reason and the serving backend in the metadata. */
    static ChatResponse answers(ChatClient chat, String backend) {
        ChatResponse r = chat.prompt().user("What do you see?").call().chatResponse();
        assertNotNull(r);
        assertFalse(r.getResult().getOutput().getText().isBlank(), "an answer");
        assertEquals(backend, r.getMetadata().get(SnowcrashChatModel.METADATA_BACKEND));
        assertEquals("demo", r.getMetadata().getModel());
        assertTrue(r.getMetadata().getUsage().getPromptTokens() > 0, "prompt tokens counted");
        assertTrue(r.getMetadata().getUsage().getCompletionTokens() > 0, "completion tokens counted");
        assertEquals(r.getMetadata().getUsage().getPromptTokens() + r.getMetadata().getUsage().getCompletionTokens(),
                r.getMetadata().getUsage().getTotalTokens());
        String finish = r.getResult().getMetadata().getFinishReason();
        assertTrue(finish.equals("STOP") || finish.equals("LENGTH"), finish);
        return r;
    }

    /** Streaming delivers, piece by piece, the text a blocking call returns (greedy sampling, warm cache). */
    static void streams(ChatClient chat) {
        String blocking = chat.prompt().user("hello").call().content();
        List<String> pieces = new ArrayList<>();
        List<ChatResponse> chunks = chat.prompt().user("hello").stream().chatResponse().collectList().block(Duration.ofMinutes(2));
        assertNotNull(chunks);
        chunks.forEach(c -> {
            if (c.getResult() != null && c.getResult().getOutput().getText() != null) {
                pieces.add(c.getResult().getOutput().getText());
            }
        });
        assertTrue(pieces.stream().filter(p -> !p.isEmpty()).count() > 1, "text came in several pieces: " + pieces);
        assertEquals(blocking, String.join("", pieces));
        ChatResponse last = chunks.get(chunks.size() - 1);
        assertTrue(last.getMetadata().getUsage().getCompletionTokens() > 0, "the last chunk carries usage");
    }

    /** {@code entity(Scene.class)}: the answer is valid against the schema Spring AI made for the record. */
    static RobotApplication.Scene structured(ChatClient chat) {
        // Room for the whole object: an answer cut by the token limit could not be valid JSON.
        ResponseEntity<ChatResponse, RobotApplication.Scene> e = chat.prompt().user("What do you see?")
                .options(SnowcrashChatOptions.builder().maxTokens(160)).call().responseEntity(RobotApplication.Scene.class);
        String raw = e.response().getResult().getOutput().getText();
        String schema = new BeanOutputConverter<>(RobotApplication.Scene.class).getJsonSchema();
        assertEquals(List.of(), SchemaCheck.problems(JsonSchema.of(schema), raw), raw);
        assertNotNull(e.entity());
        return e.entity();
    }

    /**
     * The demo model calls a {@code @Tool} method for a robot command, and Spring AI's own
     * tool-calling advisor runs it and sends the result back for the answer.
     */
    static void callsTheRobotTools(ChatClient chat, RobotApplication.RobotTools tools) {
        tools.calls.clear();
        String answer = chat.prompt().system(RobotApplication.SCENE).user("Please drive forward three meters").tools(tools)
                .options(SnowcrashChatOptions.builder().maxTokens(48)).call().content();
        assertEquals(List.of("move forward 3.0"), tools.calls);
        assertTrue(answer.contains("forward 3 meters"), answer);
    }

    /**
     * The same over {@code stream()}: the streamed call reaches Spring AI's tool loop, the
     * {@code @Tool} method runs once, and the answer after its result streams in.
     */
    static void callsTheRobotToolsStreaming(ChatClient chat, RobotApplication.RobotTools tools) {
        tools.calls.clear();
        List<String> pieces = chat.prompt().system(RobotApplication.SCENE).user("Please drive forward three meters").tools(tools)
                .options(SnowcrashChatOptions.builder().maxTokens(48)).stream().content().collectList().block(Duration.ofMinutes(2));
        assertNotNull(pieces);
        assertEquals(List.of("move forward 3.0"), tools.calls);
        String answer = String.join("", pieces);
        assertTrue(answer.contains("forward 3 meters"), answer);
    }

    /** The body of a real HTTP GET to the application, which must answer 200. */
    static JsonNode get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode(), path + " answered " + r.body());
        return JSON.readTree(r.body());
    }

    /** Actuator's health names the backend and says {@code status}; the metrics show the lifecycle and Spring AI's request meters. */
    static void actuator(int port, String backend, String status) throws IOException, InterruptedException {
        JsonNode health = get(port, "/actuator/health");
        JsonNode snowcrash = health.path("components").path("snowcrash");
        assertEquals(status, snowcrash.path("status").asText(), health.toString());
        assertEquals(backend, snowcrash.path("details").path("demo").path("backend").asText(), health.toString());

        JsonNode served = get(port, "/actuator/metrics/snowcrash.lifecycle.events?tag=event:served-by&tag=model:demo&tag=backend:" + backend);
        assertEquals(1.0, served.path("measurements").get(0).path("value").asDouble(), served.toString());
        JsonNode up = get(port, "/actuator/metrics/snowcrash.model.up?tag=model:demo");
        assertEquals(1.0, up.path("measurements").get(0).path("value").asDouble(), up.toString());
        JsonNode requests = get(port, "/actuator/metrics/gen_ai.client.operation?tag=gen_ai.system:snowcrash");
        assertTrue(requests.path("measurements").get(0).path("value").asDouble() >= 1, requests.toString());
    }
}
