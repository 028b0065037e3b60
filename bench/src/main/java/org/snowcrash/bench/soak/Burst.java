package org.snowcrash.bench.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Many streaming requests through {@code serve} at the same moment, each with a scene of its own
 * (none of the steady clients' scenes), so the server's queue overflows. Its threads start with
 * it, not at the first burst, so the thread count does not step up mid-run.
 */
final class Burst implements AutoCloseable {

    static final String BUSY = "http 429 model_busy";

    private final ServeCaller serve;
    private final Scenes scenes;
    private final int size;
    private final int firstScene;
    private final ThreadPoolExecutor threads;

    /**
     * @param size       requests in one burst
     * @param firstScene the first scene index a burst may use (the steady clients' come before)
     */
    Burst(ServeCaller serve, Scenes scenes, int size, int firstScene) {
        this.serve = serve;
        this.scenes = scenes;
        this.size = size;
        this.firstScene = firstScene;
        this.threads = new ThreadPoolExecutor(size, size, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "soak-burst");
            t.setDaemon(true);
            return t;
        });
        threads.prestartAllCoreThreads();
    }

    int size() {
        return size;
    }

    /** Sends one burst and waits for every outcome; returns how many were refused as the queue was full. */
    int send() throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Outcome>> outcomes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Scenes.Scene scene = scenes.get(firstScene + i);
            outcomes.add(threads.submit(() -> {
                go.await();
                return serve.call("burst", scene);
            }));
        }
        go.countDown();
        int busy = 0;
        for (Future<Outcome> f : outcomes) {
            try {
                if (f.get() instanceof Outcome.Typed t && t.kind().equals(BUSY)) {
                    busy++;
                }
            } catch (ExecutionException e) {
                // ServeCaller records every outcome itself and throws nothing; this would be a harness bug
                throw new IllegalStateException("a burst request failed in the harness", e.getCause());
            }
        }
        return busy;
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
