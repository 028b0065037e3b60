package org.snowcrash.openai;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import okhttp3.Call;

/**
 * The idle bound of streamed answers: a call that hears nothing from its server for the bound is
 * cancelled and reported as a timeout. One timer thread serves every stream of the process and
 * looks at a stream once per bound, not once per read.
 *
 * <p>Why not the socket's read timeout, as before: OkHttp keeps a read timeout with Okio's
 * watchdog, which every read of every token enters and leaves (two signals to the watchdog thread
 * a token), and the JDK reads a socket that has a timeout in non-blocking mode with a {@code poll}
 * before the read. Streams therefore run with no socket timeouts at all (blocking reads, one
 * system call a token) and are watched here; a token costs a clock read. Thread-safe.
 */
final class Silence {

    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private Silence() {
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "snowcrash-stream-silence");
            th.setDaemon(true);
            return th;
        });
        // A stream that ends cancels its check: taken out of the queue at once, not kept for the bound.
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    /** Starts watching {@code call}: from now, silence longer than {@code bound} cancels it. */
    static Watch watch(Call call, Duration bound) {
        Watch w = new Watch(call, bound.toNanos());
        w.schedule(w.boundNanos);
        return w;
    }

    /** The watch over one call; {@link #close} it when the call is over. */
    static final class Watch implements AutoCloseable {
        private final Call call;
        private final long boundNanos;
        private volatile long heard = System.nanoTime();
        /** Whether the caller waits for the server; false while it holds an event (its time is not the server's silence). */
        private volatile boolean waiting = true;
        private volatile boolean expired;
        private volatile boolean closed;
        private volatile ScheduledFuture<?> next;

        private Watch(Call call, long boundNanos) {
            this.call = call;
            this.boundNanos = boundNanos;
        }

        /** The server said something (a line of the body, or the response's head). */
        void heard() {
            heard = System.nanoTime();
        }

        /** The caller starts waiting for the server again: silence counts from now. */
        void waiting() {
            heard = System.nanoTime();
            waiting = true;
        }

        /**
         * The caller has an event and is busy with it (a slow sink, a client of {@code serve} whose
         * writes block): not the server's silence, as a socket's read timeout never counted it.
         */
        void holding() {
            waiting = false;
        }

        /** Whether the call was cancelled here, for its silence. */
        boolean expired() {
            return expired;
        }

        private void schedule(long delayNanos) {
            if (!closed) {
                next = TIMER.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
            }
        }

        private void check() {
            if (closed) {
                return;
            }
            if (!waiting) {
                schedule(boundNanos);
                return;
            }
            long quiet = System.nanoTime() - heard;
            if (quiet >= boundNanos) {
                expired = true;
                call.cancel(); // closes the socket: the blocked read ends at once with an IOException
            } else {
                schedule(boundNanos - quiet);
            }
        }

        @Override
        public void close() {
            closed = true;
            ScheduledFuture<?> f = next;
            if (f != null) {
                f.cancel(false);
            }
        }
    }
}
