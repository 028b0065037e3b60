package org.snowcrash.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatMessage;

/**
 * The exchanges an {@link Agent}'s model still sees, oldest first, each with its prompt cost on
 * the backend that serves now; and the rule that a turn running during a {@link #reset()} does not
 * trim the new conversation. Thread-safe: guarded by itself, never held while the model is asked.
 */
final class KeptExchanges {

    private static final Logger LOG = LoggerFactory.getLogger(KeptExchanges.class);

    private final List<Exchange> turns = new ArrayList<>();
    /** Counts {@link #reset()}s, so a turn that was running during one does not trim the new conversation. */
    private long resets;

    /** What a turn starts from: the kept exchanges and the reset count it saw. */
    record Snapshot(List<Exchange> exchanges, long epoch) {
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(List.copyOf(turns), resets);
    }

    /**
     * Ends a turn: its first {@code drop} kept exchanges go (unless the conversation was reset
     * meanwhile), and the finished one is added with its cost. Returns how many messages went.
     */
    int finish(Snapshot started, int drop, List<ChatMessage> messages, PromptCosts costs) {
        Exchange done = new Exchange(messages, cost(costs, messages));
        synchronized (this) {
            int droppedMessages = 0;
            if (resets == started.epoch()) {
                List<Exchange> gone = turns.subList(0, Math.min(drop, turns.size()));
                droppedMessages = gone.stream().mapToInt(e -> e.messages().size()).sum();
                gone.clear();
            }
            turns.add(done);
            return droppedMessages;
        }
    }

    /**
     * Counts every kept exchange again with {@code count} (another backend's tokenizer), replacing
     * the costs unless the exchanges changed meanwhile.
     */
    void recount(Function<List<ChatMessage>, Integer> count) {
        List<Exchange> kept;
        synchronized (this) {
            kept = List.copyOf(turns);
        }
        List<Exchange> recounted = new ArrayList<>(kept.size());
        for (Exchange e : kept) {
            recounted.add(new Exchange(e.messages(), count.apply(e.messages())));
        }
        synchronized (this) {
            if (turns.equals(kept)) {
                turns.clear();
                turns.addAll(recounted);
            }
        }
    }

    /** Every kept message, oldest first. */
    synchronized List<ChatMessage> messages() {
        List<ChatMessage> all = new ArrayList<>();
        for (Exchange e : turns) {
            all.addAll(e.messages());
        }
        return List.copyOf(all);
    }

    synchronized void reset() {
        turns.clear();
        resets++;
    }

    /** The exchange's cost; when the backend cannot count any more (it died after answering), a safe bound. */
    private static int cost(PromptCosts c, List<ChatMessage> messages) {
        try {
            return c.exchange(messages);
        } catch (ChatException e) {
            LOG.debug("could not count the finished exchange ({}); using a bound", e.getMessage());
            return PromptCosts.exchangeBound(messages);
        }
    }
}
