package org.snowcrash.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ConfigurationException;
import org.snowcrash.api.Settings;
import org.snowcrash.registry.BackendRegistry;
import org.snowcrash.testkit.fake.FakeBackend;
import org.snowcrash.testkit.fake.PromptCounter;

/**
 * The trimming policies and the token accounting over scripted conversations, with a backend
 * whose tokenizer and template are deterministic ({@link #templateFake}): what is sent each turn,
 * whether it fits, how often its beginning changes, and how many tokenizer calls a turn costs.
 */
class TrimPolicyTest {

    private static final int CONTEXT = 512;
    private static final int ANSWER = 32;

    /**
     * A backend with a deterministic tokenizer and a chat template of the usual shape
     * ({@link PromptCounter#template}: {@code perWord} tokens a word, {@code surprise} more for
     * three messages or more) that refuses prompts over the context and answers with
     * {@code maxTokens} one-token words.
     */
    private static FakeBackend templateFake(String id, int priority, int perWord, int surprise) {
        return FakeBackend.builder(id).priority(priority).counter(PromptCounter.template(perWord, surprise))
                .reply(FakeBackend.Reply.WORDS).enforceContext().build();
    }
    private static final String SYSTEM = "You are the robot's voice. Be brief.";

    @TempDir
    Path dir;

    private Agent agent(FakeBackend backend, TrimPolicy policy) throws Exception {
        return agent(backend, policy, Settings.empty());
    }

    /** {@code policy} null: the one {@code settings} configure. */
    private Agent agent(FakeBackend backend, TrimPolicy policy, Settings settings) throws Exception {
        Agent.Builder b = Agent.builder().settings(settings).spec(FakeBackend.spec(dir, CONTEXT))
                .discovery(BackendRegistry.order(List.of(backend), List.of(), Settings.empty()))
                .systemPrompt(SYSTEM).maxTokens(ANSWER);
        if (policy != null) {
            b.trimPolicy(policy);
        }
        return b.start();
    }

    /** Turn {@code i}'s question: 7 to 19 words, different lengths in a fixed pattern. */
    static String question(int i) {
        StringBuilder q = new StringBuilder("turn " + i + ":");
        for (int w = 0; w < (i * 7) % 13 + 5; w++) {
            q.append(" word").append(w);
        }
        return q.toString();
    }

    /** The turns (1-based, after the first) whose request does not begin with the previous request and its answer. */
    private static List<Integer> prefixChanges(List<ChatRequest> requests, List<String> answers) {
        List<Integer> changes = new ArrayList<>();
        for (int t = 1; t < requests.size(); t++) {
            List<ChatMessage> before = new ArrayList<>(requests.get(t - 1).messages());
            before.add(ChatMessage.assistant(answers.get(t - 1)));
            List<ChatMessage> now = requests.get(t).messages();
            if (now.size() < before.size() || !now.subList(0, before.size()).equals(before)) {
                changes.add(t + 1);
            }
        }
        return changes;
    }

    private record Run(List<ChatRequest> requests, List<String> answers, List<Integer> callsPerTurn, int history) {
    }

    private Run converse(FakeBackend backend, TrimPolicy policy, int turns) throws Exception {
        return converse(backend, policy, Settings.empty(), turns);
    }

    private Run converse(FakeBackend backend, TrimPolicy policy, Settings settings, int turns) throws Exception {
        List<String> answers = new ArrayList<>();
        List<Integer> calls = new ArrayList<>();
        try (Agent a = agent(backend, policy, settings)) {
            for (int i = 1; i <= turns; i++) {
                int before = backend.countCalls();
                answers.add(a.ask(question(i)).text());
                calls.add(backend.countCalls() - before);
            }
            return new Run(List.copyOf(backend.requests()), answers, calls, a.history().size());
        }
    }

    private static void assertEveryRequestFits(Run run, int surprise) {
        for (int t = 0; t < run.requests().size(); t++) {
            ChatRequest r = run.requests().get(t);
            int prompt = PromptCounter.template(1, surprise).count(r.messages());
            assertTrue(prompt + r.maxTokens() <= CONTEXT, "turn " + (t + 1) + ": " + prompt + " + " + r.maxTokens());
            assertEquals(ANSWER, r.maxTokens(), "turn " + (t + 1) + ": the answer was never shortened");
            assertEquals(ChatMessage.system(SYSTEM), r.messages().get(0), "turn " + (t + 1) + ": the system prompt comes first");
            assertEquals(ChatMessage.user(question(t + 1)), r.messages().get(r.messages().size() - 1));
            assertEquals(ChatMessage.Role.USER, r.messages().get(1).role(), "never an answer without its question");
        }
    }

    /**
     * The prompt budget is 512 - 32 = 480 tokens and the low-water mark 240. An exchange costs at
     * most 6 + 21 + 32 = 59 tokens here (template, question, answer), a question at most 24, so after
     * a trim to 240 at least (480 - 240 - 24) / 59 > 3 turns pass before the budget is reached
     * again: the prefix changes at most once every k = 4 turns.
     */
    @Test
    void cacheAwareTrimmingChangesThePrefixAtMostOnceEveryFourTurnsAndEveryRequestFits() throws Exception {
        Run run = converse(templateFake("llamacpp", 10, 1, 0), TrimPolicy.CACHE_AWARE, 60);
        assertEquals(60, run.requests().size());
        assertEveryRequestFits(run, 0);
        List<Integer> changes = prefixChanges(run.requests(), run.answers());
        assertTrue(changes.size() >= 5, "the context filled and was trimmed several times: " + changes);
        for (int i = 1; i < changes.size(); i++) {
            assertTrue(changes.get(i) - changes.get(i - 1) >= 4, "prefix changes at turns " + changes);
        }
        for (int t : changes) {
            int prompt = PromptCounter.template(1, 0).count(run.requests().get(t - 1).messages());
            assertTrue(prompt <= 240, "turn " + t + " was trimmed to the low-water mark, not just below the budget: " + prompt);
        }
    }

    @Test
    void oldestFirstChangesThePrefixEveryTurnOnceTheContextIsFull() throws Exception {
        Run run = converse(templateFake("llamacpp", 10, 1, 0), TrimPolicy.OLDEST_FIRST, 60);
        assertEveryRequestFits(run, 0);
        List<Integer> changes = prefixChanges(run.requests(), run.answers());
        int first = changes.get(0);
        assertTrue(first > 2 && first < 20, "it fills after a few turns: " + changes);
        // Now and then a short question after a long one fits without a drop; otherwise every turn drops.
        int after = 60 - first + 1;
        assertTrue(changes.size() >= after * 9 / 10, changes.size() + " of the " + after + " turns from turn " + first
                + " changed the prefix: " + changes);
        for (ChatRequest r : run.requests().subList(first, 60)) {
            assertTrue(PromptCounter.template(1, 0).count(r.messages()) > 480 - 59 - 24, "it keeps as much as fits");
        }
    }

    @Test
    void thePolicyComesFromConfigurationWhenTheBuilderSetsNone() throws Exception {
        Run configured = converse(templateFake("llamacpp", 10, 1, 0), null,
                Settings.of(Map.of("snowcrash.agent.trim-policy", "oldest-first")), 30);
        Run explicit = converse(templateFake("llamacpp", 10, 1, 0), TrimPolicy.OLDEST_FIRST, 30);
        assertEquals(explicit.requests(), configured.requests(), "the same requests as with OLDEST_FIRST set in code");
        Run byDefault = converse(templateFake("llamacpp", 10, 1, 0), null, Settings.empty(), 30);
        Run cacheAware = converse(templateFake("llamacpp", 10, 1, 0), TrimPolicy.CACHE_AWARE, 30);
        assertEquals(cacheAware.requests(), byDefault.requests(), "CACHE_AWARE when nothing says otherwise");
        assertNotEquals(explicit.requests(), cacheAware.requests(), "the two policies differ within 30 turns");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> agent(templateFake("llamacpp", 10, 1, 0), null,
                        Settings.of(Map.of("snowcrash.agent.trim-policy", "newest-first"))));
        assertTrue(e.getMessage().contains("snowcrash.agent.trim-policy=newest-first"), e.getMessage());
    }

    @Test
    void aTurnAsksTheTokenizerAtMostTwiceHoweverLongTheConversation() throws Exception {
        FakeBackend backend = templateFake("llamacpp", 10, 1, 0);
        Run run = converse(backend, TrimPolicy.CACHE_AWARE, 200);
        // First turn: 3 calls to measure the template, 1 for the system prompt, then the question and the exchange.
        assertEquals(6, run.callsPerTurn().get(0));
        for (int t = 1; t < 200; t++) {
            assertEquals(2, run.callsPerTurn().get(t), "turn " + (t + 1) + ": " + run.callsPerTurn());
        }
        assertTrue(run.history() <= 2 * (480 / 6), "the conversation list is bounded: " + run.history());
        Run oldest = converse(templateFake("llamacpp", 10, 1, 0), TrimPolicy.OLDEST_FIRST, 200);
        assertTrue(oldest.callsPerTurn().subList(1, 200).stream().allMatch(c -> c == 2), "the same for the other policy");
    }

    @Test
    void afterAFallbackToAnotherBackendTheKeptExchangesAreCountedAgainWithItsTokenizer() throws Exception {
        FakeBackend first = templateFake("first", 20, 1, 0);
        FakeBackend second = templateFake("second", 10, 3, 0);
        try (Agent a = Agent.builder().settings(Settings.empty()).spec(FakeBackend.spec(dir, CONTEXT))
                .discovery(BackendRegistry.order(List.of(first, second), List.of(), Settings.empty()))
                .recovery(Recovery.NEXT).systemPrompt(SYSTEM).maxTokens(ANSWER).start()) {
            for (int i = 1; i <= 3; i++) {
                a.ask(question(i));
            }
            first.last().dead(true);
            org.junit.jupiter.api.Assertions.assertThrows(org.snowcrash.api.ChatException.class, () -> a.ask(question(4)));
            int kept = a.history().size() / 2;
            for (int i = 4; i <= 40; i++) {
                int before = second.countCalls();
                a.ask(question(i));
                int calls = second.countCalls() - before;
                // On the new backend: the count that restarted the model there (its answer is not
                // used: it was meant for the old costs), the template measured (4), every kept
                // exchange counted again, then the turn's own 2.
                assertEquals(i == 4 ? 1 + 4 + kept + 2 : 2, calls, "turn " + i);
            }
            assertEquals("second", a.info().backendId());
            for (ChatRequest r : second.requests()) {
                // Three tokens a word here: counts from the first backend would have overflowed.
                assertTrue(PromptCounter.template(3, 0).count(r.messages()) + r.maxTokens() <= CONTEXT, r.messages().toString());
            }
            assertTrue(second.requests().size() == 37, "no request was refused");
        }
    }

    @Test
    void whatTheSumOfPartsMissesIsLearnedFromTheBackendsOwnCount() throws Exception {
        // This template adds 20 tokens to any prompt of three messages or more: the first such
        // prompt (turn 2, far from full) is 20 tokens larger than estimated, and from then on
        // every estimate carries the difference, so no request ever exceeds the context.
        FakeBackend backend = templateFake("llamacpp", 10, 1, 20);
        Run run = converse(backend, TrimPolicy.CACHE_AWARE, 60);
        assertEquals(60, run.requests().size(), "no request was refused");
        assertEveryRequestFits(run, 20);
    }
}
