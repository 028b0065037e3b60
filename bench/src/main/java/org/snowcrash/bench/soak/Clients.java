package org.snowcrash.bench.soak;

import java.util.ArrayList;
import java.util.List;

import org.snowcrash.agent.Agent;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.SnowcrashException;

/**
 * The steady load: threads that each ask, one request after another until stopped, either
 * through {@code serve} (a streaming HTTP client each) or through an {@link Agent} of their own
 * (a conversation that goes on for the whole run). Each has its own scene, so no two requests in
 * flight at once share one.
 */
final class Clients {

    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;

    /** Starts a client streaming through serve with this scene. */
    void serve(String name, ServeCaller caller, Scenes.Scene scene) {
        start(name, () -> caller.call(name, scene));
    }

    /** The pause after a request that was not answered, so a refusing service is not asked in a tight loop. */
    private static final long BACK_OFF_MILLIS = 250;

    /**
     * Starts a client asking {@code agent}, whose system prompt is {@code scene}'s. A turn past
     * its deadline is cancelled ({@link Agent#cancel()}), which the ledger counts as lost.
     */
    void agent(String name, Agent agent, Scenes.Scene scene, Ledger ledger) {
        start(name, () -> {
            Ledger.Ticket t = ledger.open(name, scene, agent::cancel);
            Outcome o = ask(agent);
            ledger.close(t, o);
            return o;
        });
    }

    private static Outcome ask(Agent agent) {
        try {
            ChatResponse r = agent.ask(ServeCaller.QUESTION);
            if (r.finishReason() == FinishReason.STOP || r.finishReason() == FinishReason.LENGTH) {
                return new Outcome.Answered(r.text(), r.finishReason().name());
            }
            return new Outcome.Untyped("finished " + r.finishReason() + ": " + r.text());
        } catch (ChatException e) {
            return new Outcome.Typed("agent " + e.failure().getClass().getSimpleName());
        } catch (SnowcrashException e) {
            // A restart that failed (no backend started) is typed too: it names every attempt.
            return new Outcome.Typed("agent " + e.getClass().getSimpleName());
        } catch (RuntimeException e) {
            return new Outcome.Untyped(e.toString());
        }
    }

    private void start(String name, java.util.function.Supplier<Outcome> request) {
        Thread t = new Thread(() -> {
            while (!stopping) {
                if (!(request.get() instanceof Outcome.Answered)) {
                    try {
                        Thread.sleep(BACK_OFF_MILLIS); // load shape, not synchronisation
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "soak-" + name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    /** Stops asking; requests in flight end by themselves (within their timeout). */
    void stop() {
        stopping = true;
    }

    /** Waits for every client's last request to end. */
    void join(long millis) throws InterruptedException {
        long until = System.currentTimeMillis() + millis;
        for (Thread t : threads) {
            t.join(Math.max(1, until - System.currentTimeMillis()));
        }
    }
}
