package org.snowcrash.backend.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.agent.Agent;
import org.snowcrash.agent.AgentEvent;
import org.snowcrash.agent.RunningModel;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.demo.DemoModel;
import org.snowcrash.tck.DemoConversations;

/**
 * The trained demo model in-process (java-llama.cpp): for each scene, the answer names the scene's
 * objects, blocking and streaming alike, and the sentence events carry whole English sentences.
 */
class DemoModelInProcessTest {

    @TempDir
    Path dir;

    @Test
    void answersNameTheSceneInTheSystemPromptAndSentencesAreWhole() throws Exception {
        Path file = dir.resolve("demo/snowcrash-demo.gguf");
        DemoModel.install(file);
        ModelSpec spec = ModelSpec.builder("demo", file).gpuLayers(0).build();
        try (RunningModel model = RunningModel.builder().settings(Settings.empty()).spec(spec).backend("llamacpp").start()) {
            DemoConversations.assertEveryCase(model::chat, model::stream);
        }
        List<AgentEvent.Sentence> sentences = new ArrayList<>();
        // The same file again: the backend reuses the model it loaded (java-llama.cpp cannot unload one).
        try (Agent agent = Agent.builder().settings(Settings.empty()).spec(spec).backend("llamacpp")
                .systemPrompt(DemoConversations.CASES.get(1).system()).maxTokens(48).temperature(0)
                .listener(e -> {
                    if (e instanceof AgentEvent.Sentence s) {
                        sentences.add(s);
                    }
                }).start()) {
            String reply = agent.ask("Hello!").text();
            assertFalse(sentences.isEmpty(), "sentence events for the voice");
            for (AgentEvent.Sentence s : sentences) {
                String t = s.text().strip();
                assertTrue(t.matches("[A-Z0-9].*[.!?]"), "a whole English sentence: '" + t + "' of '" + reply + "'");
            }
            assertEquals(reply.strip(), String.join(" ", sentences.stream().map(s -> s.text().strip()).toList()),
                    "the sentences make up the answer");
        }
    }
}
