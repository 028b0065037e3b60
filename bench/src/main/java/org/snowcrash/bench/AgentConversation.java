package org.snowcrash.bench;

import java.util.concurrent.atomic.AtomicLong;

import org.snowcrash.agent.Agent;
import org.snowcrash.agent.TrimPolicy;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;

/** The agent with a trimming policy: (a) {@link TrimPolicy#CACHE_AWARE} or (b) {@link TrimPolicy#OLDEST_FIRST}. */
final class AgentConversation implements Conversation, AutoCloseable {

    private final Agent agent;

    private AgentConversation(Agent agent) {
        this.agent = agent;
    }

    static AgentConversation start(ModelSpec spec, Settings settings, String backend, TrimPolicy policy) {
        Agent agent = Agent.builder().settings(settings).spec(spec).backend(backend)
                .systemPrompt(ConversationScript.SYSTEM).maxTokens(ConversationScript.ANSWER).temperature(0)
                .trimPolicy(policy).start();
        // Warms the JIT and the connection path. The slot then holds a prompt that begins like
        // every conversation's first turn (template, system prompt), as it would in a long-running
        // process; the same holds for the LangChain4j side.
        agent.ask("Warming up.");
        agent.reset();
        return new AgentConversation(agent);
    }

    @Override
    public Turn ask(int turn) {
        AtomicLong first = new AtomicLong();
        long t0 = System.nanoTime();
        ChatResponse r = agent.ask(ConversationScript.question(turn), piece -> first.compareAndSet(0, System.nanoTime()));
        return new Turn((first.get() - t0) / 1e6, r.usage().promptTokens(), r.usage().cachedPromptTokens());
    }

    @Override
    public void close() {
        agent.close();
    }
}
