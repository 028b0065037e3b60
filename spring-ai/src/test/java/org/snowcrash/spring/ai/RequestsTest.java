package org.snowcrash.spring.ai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolChoice;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.converter.BeanOutputConverter;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.support.ToolCallbacks;
import org.springframework.ai.tool.annotation.Tool;

/** How Spring AI prompts and options become Snowcrash requests, and what is refused with a reason. */
class RequestsTest {

    private static final ToolCallingManager TOOLS = ToolCallingManager.builder().build();

    /** Robot commands as {@code @Tool} methods. */
    static class Robot {
        @Tool(description = "Drive straight.")
        public String move(String direction, double meters) {
            return "moved";
        }
    }

    record Scene(String person, int cups) {
    }

    @Test
    void systemMessagesAreJoinedInFrontAndToolTurnsKeepTheirIds() {
        Prompt prompt = new Prompt(List.of(new SystemMessage("You are a robot."), new UserMessage("go"),
                AssistantMessage.builder().content("").toolCalls(List.of(
                        new AssistantMessage.ToolCall("call-1", "function", "move", "{\"direction\":\"forward\",\"meters\":2}"))).build(),
                ToolResponseMessage.builder().responses(List.of(new ToolResponseMessage.ToolResponse("call-1", "move", "moved"))).build(),
                new SystemMessage("Answer briefly.")));
        ChatRequest r = Requests.from(prompt, SnowcrashChatOptions.builder().build(), TOOLS, 32);
        assertEquals(List.of(ChatMessage.system("You are a robot.\n\nAnswer briefly."), ChatMessage.user("go"),
                ChatMessage.assistant("", List.of(new ToolCall("call-1", "move", "{\"direction\":\"forward\",\"meters\":2}"))),
                ChatMessage.toolResult("call-1", "moved")), r.messages());
        assertEquals(32, r.maxTokens(), "the default when the options set none");
    }

    @Test
    void aToolsJsonStringResultReachesTheModelAsText() {
        assertEquals("would move forward 3 meters", Requests.resultText("\"would move forward 3 meters\""));
        assertEquals("{\"moved\":3}", Requests.resultText("{\"moved\":3}"), "JSON other than a string stays as it is");
        assertEquals("\"half", Requests.resultText("\"half"));
    }

    @Test
    void optionsBecomeTheRequestsSampling() {
        SnowcrashChatOptions o = SnowcrashChatOptions.builder().maxTokens(7).temperature(0.5).seed(42L)
                .stopSequences(List.of("\n")).build();
        ChatRequest r = Requests.from(new Prompt("hi"), o, TOOLS, 32);
        assertEquals(7, r.maxTokens());
        assertEquals(0.5, r.temperature().getAsDouble());
        assertEquals(42L, r.seed().getAsLong());
        assertEquals(List.of("\n"), r.stop());
        assertTrue(r.tools().isEmpty());
        assertEquals(ResponseFormat.TEXT, r.responseFormat());
    }

    @Test
    void toolMethodsAreOfferedWithTheirSchemasAndTheModelChooses() {
        SnowcrashChatOptions o = SnowcrashChatOptions.builder().toolCallbacks(List.of(ToolCallbacks.from(new Robot()))).build();
        ChatRequest r = Requests.from(new Prompt("go forward"), o, TOOLS, 32);
        assertEquals(1, r.tools().size());
        assertEquals("move", r.tools().get(0).name());
        assertEquals("Drive straight.", r.tools().get(0).description());
        assertTrue(r.tools().get(0).parameters().json().contains("\"meters\""), r.tools().get(0).parameters().json());
        assertEquals(ToolChoice.AUTO, r.toolChoice());
    }

    @Test
    void anOutputSchemaIsSentAsAJsonSchemaResponseFormat() {
        String schema = new BeanOutputConverter<>(Scene.class).getJsonSchema();
        ChatRequest r = Requests.from(new Prompt("what do you see?"), SnowcrashChatOptions.builder().outputSchema(schema).build(), TOOLS, 32);
        ResponseFormat.JsonSchemaFormat f = assertInstanceOf(ResponseFormat.JsonSchemaFormat.class, r.responseFormat());
        assertEquals(Requests.SCHEMA_NAME, f.name());
        assertTrue(f.schema().json().contains("\"cups\""));
    }

    @Test
    void whatSnowcrashCannotHonourIsRefusedByName() {
        IllegalArgumentException topP = assertThrows(IllegalArgumentException.class,
                () -> Requests.from(new Prompt("hi"), SnowcrashChatOptions.builder().topP(0.9).build(), TOOLS, 32));
        assertTrue(topP.getMessage().contains("topP"), topP.getMessage());
        String listSchema = new BeanOutputConverter<>(new org.springframework.core.ParameterizedTypeReference<List<Scene>>() {
        }).getJsonSchema();
        IllegalArgumentException list = assertThrows(IllegalArgumentException.class, () -> Requests.from(new Prompt("hi"),
                SnowcrashChatOptions.builder().outputSchema(listSchema).build(), TOOLS, 32));
        assertTrue(list.getMessage().startsWith("options.outputSchema: "), list.getMessage());
        IllegalArgumentException media = assertThrows(IllegalArgumentException.class, () -> Requests.from(
                new Prompt(UserMessage.builder().text("look").media(new org.springframework.ai.content.Media(
                        org.springframework.util.MimeTypeUtils.IMAGE_PNG, java.net.URI.create("file:///x.png"))).build()),
                SnowcrashChatOptions.builder().build(), TOOLS, 32));
        assertTrue(media.getMessage().startsWith("messages[0]"), media.getMessage());
    }

    @Test
    void aRequestsOptionsGoOverTheDefaults() {
        SnowcrashChatOptions defaults = SnowcrashChatOptions.builder().model("demo").maxTokens(24).temperature(0.0).seed(1L).build();
        SnowcrashChatOptions merged = defaults.overriddenBy(SnowcrashChatOptions.builder().maxTokens(99).build());
        assertEquals("demo", merged.getModel());
        assertEquals(99, merged.getMaxTokens());
        assertEquals(0.0, merged.getTemperature());
        assertEquals(1L, merged.getSeed());
        assertEquals(defaults, defaults.mutate().build(), "mutate keeps every value");
    }
}
