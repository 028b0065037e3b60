package org.snowcrash.models;

import java.util.Locale;

/**
 * How much memory llama-server needs for a model, in bytes, by part. Made by
 * {@link MemoryEstimator}; see there for each formula and how far off it was measured to be.
 *
 * @param weights       the tensors' data, exactly as the file lays it out
 * @param kvCache       the K and V cache for the configured context
 * @param computeBuffer the buffer llama.cpp reserves for one batch's intermediate results
 * @param runtime       the rest: the logits buffer, the vocabulary's structures, threads, the HTTP server
 */
public record MemoryEstimate(long weights, long kvCache, long computeBuffer, long runtime) {

    public MemoryEstimate {
        if (weights < 0 || kvCache < 0 || computeBuffer < 0 || runtime < 0) {
            throw new IllegalArgumentException("memory parts must not be negative");
        }
    }

    /** The sum of the parts. */
    public long total() {
        return weights + kvCache + computeBuffer + runtime;
    }

    /**
     * One line for people:
     * {@code ~68.0 MiB (weights 52.6 MiB, KV cache 8.0 MiB, compute 3.6 MiB, runtime 3.8 MiB)}.
     */
    public String describe() {
        return "~" + mib(total()) + " (weights " + mib(weights) + ", KV cache " + mib(kvCache)
                + ", compute " + mib(computeBuffer) + ", runtime " + mib(runtime) + ")";
    }

    /** Bytes as MiB (or GiB from 10 GiB on) with one decimal. */
    public static String mib(long bytes) {
        if (bytes >= 10L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
}
