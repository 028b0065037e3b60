package org.snowcrash.backend.llamacpp;

import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.TokenSink;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;

/**
 * One run of the model over a prompt, text handed to a sink as it comes. Called under the model's
 * lock. Cancellation, and the caller's own reason to stop early ({@code tool_choice} auto switching
 * to the call grammar), are checked on the generating thread between outputs: cancelling the native
 * task from another thread while this one waits in {@code receiveCompletion} is unsafe in 4.2.0.
 */
final class Pass {

    /** How a pass ended. */
    enum End {
        /** The model stopped (end of sequence, a stop string, the token limit or the grammar's end). */
        DONE,
        /** The request was cancelled or the session closed. */
        CANCELLED,
        /** The caller's stop condition held. */
        STOPPED
    }

    /**
     * What a pass generated.
     *
     * @param text    the text handed to the sink
     * @param outputs how many outputs java-llama.cpp gave (one may hold several tokens)
     * @param end     how it ended
     */
    record Outcome(String text, int outputs, End end) {
    }

    private Pass() {
    }

    /**
     * Runs the model.
     *
     * @param cancelled when true, the pass ends as {@link End#CANCELLED}
     * @param stop      when true after a piece was handed on, the pass ends as {@link End#STOPPED}
     * @param error     makes the session's typed error
     * @throws ChatException when generation or the sink fails
     */
    static Outcome run(LlamaModel model, InferenceParameters p, TokenSink sink, BooleanSupplier cancelled,
                       BooleanSupplier stop, BiFunction<ChatFailure, Throwable, ChatException> error) {
        StringBuilder text = new StringBuilder();
        int outputs = 0;
        try {
            LlamaIterator it = model.generate(p).iterator();
            while (it.hasNext()) {
                if (cancelled.getAsBoolean()) {
                    it.cancel();
                    return new Outcome(text.toString(), outputs, End.CANCELLED);
                }
                LlamaOutput out = it.next();
                outputs++;
                if (out.text.isEmpty()) {
                    continue;
                }
                text.append(out.text);
                try {
                    sink.accept(out.text);
                } catch (RuntimeException e) {
                    it.cancel();
                    throw error.apply(new ChatFailure.SinkFailed(e.toString()), e);
                }
                if (stop.getAsBoolean()) {
                    it.cancel();
                    return new Outcome(text.toString(), outputs, End.STOPPED);
                }
            }
            return new Outcome(text.toString(), outputs, End.DONE);
        } catch (ChatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw error.apply(new ChatFailure.Other("generation failed: " + e.getMessage()), e);
        }
    }
}
