package org.snowcrash.testkit.fake;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the requests (or starts) of one model inside a {@link FakeBackend} until the test lets
 * them go, so that "in flight", "starting" and "three callers inside at once" are states a test
 * reaches by events, not by time. Thread-safe; one-shot: once released, every later arrival passes.
 */
public final class Hold {
    private final Semaphore entered = new Semaphore(0);
    private final CountDownLatch released = new CountDownLatch(1);

    Hold() {
    }

    /** Waits until {@code n} requests (or starts) are inside, held; fails after ten seconds. */
    public void awaitEntered(int n) throws InterruptedException {
        if (!entered.tryAcquire(n, 10, TimeUnit.SECONDS)) {
            throw new AssertionError("only " + entered.availablePermits() + " of " + n + " arrived");
        }
    }

    /** Whether one more request (or start) came inside within {@code millis}. */
    public boolean tryEntered(long millis) throws InterruptedException {
        return entered.tryAcquire(millis, TimeUnit.MILLISECONDS);
    }

    /** Lets every held request (or start) go on, and every later one pass. */
    public void release() {
        released.countDown();
    }

    /** Called by the fake on arrival: counts the arrival, then waits for {@link #release()}. */
    void pass() {
        entered.release();
        try {
            if (!released.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a held request was never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
