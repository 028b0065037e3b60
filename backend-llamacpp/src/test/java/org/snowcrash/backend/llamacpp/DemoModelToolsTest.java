package org.snowcrash.backend.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.api.ToolChoice;
import org.snowcrash.demo.DemoModel;
import org.snowcrash.tools.AnswerCheck;

/**
 * The trained demo model with tools offered in-process: with {@code tool_choice} auto a greeting is
 * answered in text at full speed (the free first pass never sees a <code>{</code>), and a forced call
 * is a valid call.
 */
class DemoModelToolsTest {

    @TempDir
    Path dir;

    @Test
    void autoAnswersAGreetingInTextAndRequiredMakesAValidCall() throws Exception {
        Path file = dir.resolve("demo.gguf");
        DemoModel.install(file);
        ModelSession session = new LlamaCppBackend().start(ModelSpec.builder("demo", file).gpuLayers(0).build(),
                BackendContext.of(Settings.empty()));
        try {
            List<ChatMessage> hello = List.of(ChatMessage.system(DemoModel.SCENE), ChatMessage.user("Hello!"));
            ChatRequest auto = ChatRequest.of(hello, 48).withTemperature(0)
                    .withTools(List.of(InProcessToolsTest.MOVE, InProcessToolsTest.TURN), ToolChoice.AUTO);
            ChatResponse text = session.chat(auto);
            assertFalse(text.hasToolCalls(), text.toString());
            assertEquals(FinishReason.STOP, text.finishReason(), text.toString());
            assertTrue(text.text().strip().matches("[A-Z].*[.!?]"), "an English sentence: " + text.text());
            InProcessToolsTest.Seen seen = new InProcessToolsTest.Seen();
            ChatResponse streamed = session.stream(auto, seen, new Cancellation());
            assertEquals(text.text(), streamed.text());
            assertEquals(text.text(), seen.text.toString());

            ChatRequest required = auto.withTools(auto.tools(), ToolChoice.REQUIRED).withMaxTokens(120);
            ChatResponse call = session.chat(required);
            assertEquals(FinishReason.TOOL_CALLS, call.finishReason(), call.toString());
            assertEquals(Optional.empty(), AnswerCheck.problem(required, call));
        } finally {
            session.close();
        }
    }
}
