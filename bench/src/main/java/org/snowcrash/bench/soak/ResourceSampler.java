package org.snowcrash.bench.soak;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * This JVM's own resources, sampled every half second from a daemon thread: resident memory
 * ({@code VmRSS} in {@code /proc/self/status}), open file descriptors ({@code /proc/self/fd}),
 * live threads and heap in use. {@link #mark()} runs a full GC first, so memory compared across
 * marks is what the process keeps, not garbage waiting for a collection. Linux only (the
 * figures come from {@code /proc}). Thread-safe.
 */
final class ResourceSampler implements AutoCloseable {

    /** One reading. */
    record Sample(long atMillis, long rssBytes, int fds, int threads, long heapBytes) {
    }

    private final long start = System.nanoTime();
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;

    ResourceSampler() {
        thread = new Thread(() -> {
            while (!closed) {
                Sample s = now();
                synchronized (samples) {
                    samples.add(s);
                }
                try {
                    Thread.sleep(500); // a sampling period, not synchronisation
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "soak-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** A reading after a full collection. */
    Sample mark() {
        System.gc();
        return now();
    }

    /** Samples taken between these fractions of the span of {@code lengthMillis} from {@code startMillis}. */
    List<Sample> window(long startMillis, long lengthMillis, double from, double to) {
        long a = startMillis + (long) (from * lengthMillis);
        long b = startMillis + (long) (to * lengthMillis);
        synchronized (samples) {
            return samples.stream().filter(s -> s.atMillis() >= a && s.atMillis() <= b).toList();
        }
    }

    /** The run's time so far. */
    long elapsedMillis() {
        return (System.nanoTime() - start) / 1_000_000;
    }

    Sample now() {
        return new Sample(elapsedMillis(), rss(), fds(), ManagementFactory.getThreadMXBean().getThreadCount(),
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }

    private static long rss() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(-1L);
        } catch (IOException e) {
            return -1;
        }
    }

    private static int fds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count() - 1; // the listing's own descriptor
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
