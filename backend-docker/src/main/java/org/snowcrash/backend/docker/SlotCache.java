package org.snowcrash.backend.docker;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.EventSink;
import org.snowcrash.api.LifecycleEvent;

/**
 * One container's side of the slot cache: before a conversation's first request on this
 * container its saved cache is restored into the server's slot, and after every turn that
 * continues a conversation the slot is saved again, in the background, so that a container that
 * dies later (or is stopped) leaves the conversation's cache behind for the next one. Nothing here
 * ever fails a request: a missing, damaged or refused file means the server computes the prompt
 * again, as it would have without the cache. {@link #OFF} does nothing.
 */
public final class SlotCache {

    private static final Logger LOG = LoggerFactory.getLogger(SlotCache.class);

    /**
     * Beginnings of the progress events this publishes: viewers, tests and the benchmark wait for
     * a save to finish by its event, and see whether a turn was resumed or computed again.
     */
    public static final String SAVED = "slot cache: saved ";
    /** A conversation's cache restored into a new container's slot. */
    public static final String RESTORED = "slot cache: restored ";
    /** A saved cache not used (damaged, gone, refused): the prompt is computed again. */
    public static final String RECOMPUTED = "slot cache: computing again, ";

    /** No slot cache: every call does nothing. */
    static final SlotCache OFF = new SlotCache(null, null, "", EventSink.NONE, "");

    /** What {@link #before} learnt about a request, for {@link #after}. */
    record Turn(List<String> messages, boolean continues) {
    }

    /** The turn {@link #OFF} returns: nothing to save after it. */
    private static final Turn NOTHING = new Turn(List.of(), false);

    private final SlotStore store;
    private final SlotActions server;
    private final String where;
    /** Conversations whose cache this container's slot was given or saved from: restored at most once. */
    private final Set<Long> touched = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean servedAny = new AtomicBoolean();
    private final ExecutorService saver;
    private final AtomicReference<Future<?>> lastSave = new AtomicReference<>();

    private final EventSink events;
    private final String modelId;

    SlotCache(SlotStore store, SlotActions server, String where, EventSink events, String modelId) {
        this.events = events;
        this.modelId = modelId;
        this.store = store;
        this.server = server;
        this.where = where;
        this.saver = store == null ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "snowcrash-slot-save");
            t.setDaemon(true);
            return t;
        });
    }

    boolean isOn() {
        return store != null;
    }

    /**
     * Restores the conversation's saved cache when this container has not had it yet: the file
     * that continues it, or on a container that has served nothing, the one sharing the longest
     * beginning. A file that is not as it was saved, or that the server refuses, is deleted.
     */
    Turn before(List<ChatMessage> messages) {
        if (store == null) {
            return NOTHING; // no digests: a hash of every message, on the way to every first token
        }
        List<String> digests = SlotStore.digests(messages);
        boolean continues = messages.stream().anyMatch(m -> m.role() == ChatMessage.Role.ASSISTANT);
        boolean fresh = !servedAny.getAndSet(true);
        Optional<SlotStore.Match> match = store.best(digests);
        if (match.isPresent() && !touched.contains(match.get().entry().id())
                && (fresh || match.get().common() == match.get().entry().messages().size())) {
            restore(match.get().entry());
        }
        return new Turn(digests, continues);
    }

    private void restore(SlotStore.Entry e) {
        touched.add(e.id());
        if (!store.intact(e)) {
            LOG.info("{}: the saved prompt cache {} is damaged or gone; the prompt is computed again", where, e.file());
            publish(RECOMPUTED + e.file() + " is damaged or gone");
            return;
        }
        SlotActions.Outcome o = server.restore(e.file());
        if (o instanceof SlotActions.Outcome.Failed f) {
            LOG.info("{}: the server did not restore the prompt cache {} ({}); the prompt is computed again",
                    where, e.file(), f.why());
            publish(RECOMPUTED + "the server did not restore " + e.file());
            if (f.refused()) {
                store.forget(e); // the server read it and would not take it; a server that is gone proves nothing
            } else {
                touched.remove(e.id());
            }
        } else {
            LOG.debug("{}: restored the prompt cache {}: {}", where, e.file(), ((SlotActions.Outcome.Done) o).answer());
            publish(RESTORED + e.file() + " (" + e.size() + " bytes)");
        }
    }

    /** After an answered turn that continues a conversation: saves the slot in the background. */
    void after(Turn turn) {
        if (store == null || !turn.continues()) {
            return;
        }
        try {
            lastSave.set(saver.submit(() -> save(turn)));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the container goes, and with it the chance to save
        }
    }

    private void save(Turn turn) {
        Optional<SlotStore.Entry> previous = store.continued(turn.messages());
        String file = store.newFile();
        SlotActions.Outcome o = server.save(file);
        if (o instanceof SlotActions.Outcome.Failed f) {
            LOG.debug("{}: the prompt cache was not saved ({})", where, f.why());
            store.failed(file);
        } else {
            store.saved(previous, turn.messages(), file).ifPresent(e -> {
                touched.add(e.id());
                LOG.debug("{}: saved the prompt cache {} ({} bytes)", where, e.file(), e.size());
                publish(SAVED + e.file() + " (" + e.size() + " bytes)");
            });
        }
    }

    private void publish(String message) {
        try {
            events.publish(new LifecycleEvent.Progress(DockerBackend.ID, modelId, message));
        } catch (RuntimeException e) {
            LOG.debug("an event listener failed: {}", e.toString());
        }
    }

    /** Waits for the save in flight, if any (tests; and {@link #close} before the container goes). */
    boolean awaitSaves(Duration bound) {
        Future<?> f = lastSave.get();
        if (f == null) {
            return true;
        }
        try {
            f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.debug("{}: saving the prompt cache failed: {}", where, e.getCause().toString());
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Before a deliberate stop (pool unload, keep-alive, close): lets the last save finish, within
     * the bound, so the next container resumes from the latest turn.
     */
    void close(Duration bound) {
        if (saver != null) {
            awaitSaves(bound);
            saver.shutdownNow();
        }
    }
}
