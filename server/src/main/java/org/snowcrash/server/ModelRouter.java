package org.snowcrash.server;

import java.util.List;

import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.TokenSink;

/**
 * Requests by model id, each model started on first use through its fallback chain with
 * recovery: what the server needs from the model pool, in the pool's own words
 * ({@code ModelPool.chat/stream/models/close}), so that switching to the pool changes no handler.
 *
 * <p>Thread-safe: every method may be called from many request threads at once.
 */
interface ModelRouter extends AutoCloseable {

    /**
     * Streams an answer from model {@code modelId}, starting it first when it is not loaded.
     * Blocks until the answer is complete, failed or cancelled; pieces go to {@code sink} on the
     * calling thread; {@code cancellation} ends this request only (and frees its server slot).
     *
     * @throws org.snowcrash.models.UnknownModelException when the catalog has no such model
     * @throws org.snowcrash.api.ChatException            with {@code ChatFailure.Busy} when the model's
     *                                                    queue is full, or any other typed failure
     * @throws org.snowcrash.api.SnowcrashException       when the model cannot be started
     */
    ChatResponse stream(String modelId, ChatRequest request, TokenSink sink, Cancellation cancellation);

    /** Every catalog model with its state; never blocks on a start. */
    List<PooledModel> models();

    /** Closes every loaded model (containers removed). Idempotent; never throws. */
    @Override
    void close();
}
