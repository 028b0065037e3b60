package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.ModelSession;

import com.github.dockerjava.api.DockerClient;

/**
 * The slot cache with the real llama-server: a conversation's container killed between turns
 * ({@code docker kill}), the next turn on a new container, counted by the server itself
 * ({@code timings.prompt_n}: the prompt tokens it processed). Counts only, never times.
 */
@RequiresDocker
class SlotCacheDockerTest {

    private static final String SYSTEM = "You are Snowcrash, a small robot in a busy lab. Answer in one short"
            + " sentence. Your camera sees a person on the left, two cups on the table ahead, a red box by the door,"
            + " a window on the right and a plant in the corner.";

    @TempDir
    Path dir;

    private final DockerBackend backend = new DockerBackend();
    private final List<ModelSession> sessions = new ArrayList<>();
    private DockerClient docker;
    private DockerTestSupport.TestModel model;
    private final List<String> slotEvents = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void connect() throws IOException {
        docker = DockerTestSupport.client();
        DockerTestSupport.TestModel demo = DockerTestSupport.demoSpec(dir, "slots");
        // The demo's tokenizer is byte-level: room for a few turns of a robot's conversation.
        model = demo.withSpec(org.snowcrash.api.ModelSpec.builder("demo", demo.file()).contextSize(2048)
                .startupTimeout(Duration.ofSeconds(60)).build());
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            sessions.forEach(ModelSession::close);
            DockerTestSupport.removeOwnContainers(docker);
            docker.close();
        } finally {
            SlotDirectory.closeAll();
        }
    }

    /** A container of its own name and port each time: the killed one may still be being removed. */
    private DockerSession start(String name, String... settings) throws Exception {
        List<String> all = new ArrayList<>(List.of("backend.docker.slot-cache-dir", dir.resolve("cache").toString(),
                "model.demo.container", model.containerName() + "-" + name,
                "model.demo.port", String.valueOf(DockerTestSupport.freePort())));
        all.addAll(List.of(settings));
        ModelSession s = backend.start(model.spec(), new org.snowcrash.api.BackendContext(
                model.settings(all.toArray(new String[0])), e -> {
                    if (e instanceof org.snowcrash.api.LifecycleEvent.Progress p && p.message().startsWith("slot cache: ")) {
                        slotEvents.add(p.message());
                    }
                }));
        sessions.add(s);
        return (DockerSession) s;
    }

    /** The same turn on a new container without the slot cache: what it costs today. */
    private ChatResponse withoutCache(List<ChatMessage> next) throws Exception {
        return start("without", "backend.docker.slot-cache", "false").chat(request(next));
    }

    private static ChatRequest request(List<ChatMessage> messages) {
        return ChatRequest.of(messages, 12).withTemperature(0).withSeed(3);
    }

    /** Four turns of a conversation; the history it leaves, ending with the fifth question. */
    private static List<ChatMessage> converse(DockerSession s) {
        List<ChatMessage> history = new ArrayList<>(List.of(ChatMessage.system(SYSTEM)));
        for (int turn = 1; turn <= 4; turn++) {
            history.add(ChatMessage.user("Turn " + turn + ": tell me what you see on the table and by the door,"
                    + " and whether the person on the left is still there, please."));
            ChatResponse r = s.chat(request(history));
            history.add(ChatMessage.assistant(r.text()));
        }
        history.add(ChatMessage.user("And now?"));
        return history;
    }

    private List<Path> slotFiles() throws IOException {
        Path cache = dir.resolve("cache");
        if (!Files.exists(cache)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(cache)) {
            return all.filter(p -> p.getFileName().toString().endsWith(".bin")).toList();
        }
    }

    private void kill(DockerSession s) {
        String name = s.info().detail().split("[ ,]")[1];
        docker.killContainerCmd(name).exec();
    }

    @Test
    void aConversationKilledBetweenTurnsResumesOnTheNextContainerFromItsSavedCache() throws Exception {
        DockerSession first = start("first");
        List<ChatMessage> next = converse(first);
        assertTrue(first.awaitSlotSaves(Duration.ofSeconds(60)), "the last turn's save finished");
        List<Path> saved = slotFiles();
        assertEquals(1, saved.size(), "one file for the one conversation: " + saved);
        kill(first);

        slotEvents.clear();
        ChatResponse resumed = start("resumed").chat(request(next));
        assertEquals(SlotCache.RESTORED, slotEvents.get(0).substring(0, SlotCache.RESTORED.length()), slotEvents.toString());
        ChatResponse computed = withoutCache(next);

        int with = resumed.usage().processedPromptTokens();
        int without = computed.usage().processedPromptTokens();
        System.out.println("first turn after a kill: prompt " + computed.usage().promptTokens()
                + " tokens; processed with the slot restored " + with + ", without " + without);
        assertEquals(computed.usage().promptTokens(), resumed.usage().promptTokens(), "the same prompt");
        // Without it, a new container has only what its liveness probe left: the template's first tokens.
        assertTrue(without > computed.usage().promptTokens() * 9 / 10, "without the cache nearly all is processed: " + without);
        assertTrue(with * 10 <= without, "with the slot restored at most 10 %: " + with + " of " + without);
        assertTrue(resumed.usage().completionTokens() > 0, "answered");

        // At the process's end (its shutdown hook) the folder goes, with the files the servers wrote.
        SlotDirectory.closeAll();
        assertEquals(List.of(), slotFiles());
        try (Stream<Path> left = Files.list(dir.resolve("cache"))) {
            assertEquals(List.of(), left.toList(), "nothing left in the cache folder");
        }
    }

    @Test
    void aDamagedCacheFileIsComputedAgainAndTheTurnAnswered() throws Exception {
        DockerSession first = start("first");
        List<ChatMessage> next = converse(first);
        assertTrue(first.awaitSlotSaves(Duration.ofSeconds(60)));
        Path file = slotFiles().get(0);
        // Same size and an intact header: the server alone would load it; only the checksum tells.
        byte[] bytes = Files.readAllBytes(file);
        for (int i = bytes.length / 2; i < bytes.length / 2 + 64; i++) {
            bytes[i] ^= 0x5a;
        }
        Files.write(file, bytes);
        kill(first);

        slotEvents.clear();
        ChatResponse r = start("after-damage").chat(request(next));
        assertTrue(slotEvents.get(0).startsWith(SlotCache.RECOMPUTED) && slotEvents.get(0).endsWith("is damaged or gone"),
                slotEvents.toString());
        assertTrue(r.usage().completionTokens() > 0, "answered");
        assertEquals(withoutCache(next).usage().processedPromptTokens(), r.usage().processedPromptTokens(),
                "the cost is the full prompt, as without the cache");
        assertFalse(Files.exists(file), "the damaged file is deleted");
    }

    @Test
    void aFileTheServerRefusesIsComputedAgainAndTheTurnAnswered() throws Exception {
        DockerSession first = start("first");
        List<ChatMessage> next = converse(first);
        assertTrue(first.awaitSlotSaves(Duration.ofSeconds(60)));
        Path file = slotFiles().get(0);
        kill(first);
        // The file's header and nothing more, recorded as saved so (its checksum matches): it
        // reaches the server, which refuses it.
        SlotStore store = SlotStore.of(file.getParent(), Long.MAX_VALUE);
        SlotStore.Entry saved = store.entries().get(0);
        String name = store.newFile();
        Path forged = store.dir().resolve(name);
        Files.write(forged, java.util.Arrays.copyOf(Files.readAllBytes(file), 4096));
        store.saved(java.util.Optional.of(saved), saved.messages(), name);
        assertFalse(Files.exists(file), "replaced");

        slotEvents.clear();
        ChatResponse r = start("refused").chat(request(next));
        assertTrue(r.usage().completionTokens() > 0, "answered");
        // The server clears the slot when it refuses a file: not even the probe's tokens are left.
        assertEquals(r.usage().promptTokens(), r.usage().processedPromptTokens(), "the cost is the full prompt");
        assertTrue(slotEvents.get(0).startsWith(SlotCache.RECOMPUTED + "the server did not restore " + name),
                slotEvents.toString());
        assertFalse(Files.exists(forged), "the refused file is deleted");
    }
}
