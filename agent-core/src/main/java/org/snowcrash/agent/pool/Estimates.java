package org.snowcrash.agent.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.agent.InvalidModelException;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;
import org.snowcrash.models.MemoryEstimator;
import org.snowcrash.models.ModelCatalog;
import org.snowcrash.models.ModelValidator;
import org.snowcrash.models.gguf.GgufException;
import org.snowcrash.models.gguf.GgufFile;
import org.snowcrash.models.gguf.GgufReader;

/**
 * A model's estimated memory, from its GGUF header and its context and batch size as
 * {@link MemoryEstimator} computes it for llama-server as Snowcrash starts it (the server picks
 * its slots: four, sharing one KV cache). A header the estimator cannot read (an architecture
 * without the keys it needs) falls back to the file's size, the weights' lower bound.
 * Thread-safe: the cache for listings is a concurrent map keyed by file, size, modification time
 * and settings, so a changed file is estimated again.
 */
final class Estimates {

    private static final Logger LOG = LoggerFactory.getLogger(Estimates.class);

    private record Key(Path file, long size, long modified, int contextSize, int batchSize) {
    }

    private final Map<Key, Long> cache = new ConcurrentHashMap<>();

    /**
     * The estimate of a model about to start, validating its file first (as the start would): a
     * model that cannot start must not evict others.
     *
     * @throws InvalidModelException when the file is missing, unreadable or not a sound GGUF
     */
    static long forStart(ModelSpec spec, Settings settings) {
        ModelValidator.Result r = ModelValidator.check(spec.file());
        if (r instanceof ModelValidator.Result.Invalid invalid) {
            throw new InvalidModelException(spec.id(), ModelCatalog.withPullHint(invalid.problem(), spec, settings));
        }
        return of(((ModelValidator.Result.Valid) r).header(), spec.file(), spec.contextSize(), spec.batchSize());
    }

    /** The estimate for a listing: remembered per file version; empty when the file cannot be read. */
    OptionalLong peek(Path file, int contextSize, int batchSize) {
        Key key;
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            key = new Key(file, a.size(), a.lastModifiedTime().toMillis(), contextSize, batchSize);
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        Long known = cache.get(key);
        if (known != null) {
            return OptionalLong.of(known);
        }
        try {
            long estimate = of(GgufReader.read(file), file, contextSize, batchSize);
            cache.put(key, estimate);
            return OptionalLong.of(estimate);
        } catch (GgufException e) {
            return OptionalLong.empty();
        }
    }

    private static long of(GgufFile header, Path file, int contextSize, int batchSize) {
        try {
            return MemoryEstimator.estimate(header, MemoryEstimator.Settings.of(contextSize, batchSize)).total();
        } catch (IllegalArgumentException e) {
            long size = sizeOf(file);
            LOG.warn("cannot estimate the memory of {} ({}); counting its file size, {} bytes", file, e.getMessage(), size);
            return size;
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
