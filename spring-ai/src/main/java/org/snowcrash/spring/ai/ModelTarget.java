package org.snowcrash.spring.ai;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import org.snowcrash.agent.RunningModel;
import org.snowcrash.agent.pool.ModelPool;
import org.snowcrash.agent.pool.PooledModel;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.SessionInfo;
import org.snowcrash.api.TokenSink;

/**
 * Where {@link SnowcrashChatModel} sends requests: one started model, or the pool, where the
 * options' model picks any catalog model. Both block the calling thread for a request.
 */
sealed interface ModelTarget {

    /** The model a request goes to when its options name none; may start the model (lazy start). */
    String modelFor(String requested);

    /** Answers a request on {@code model} (as {@link #modelFor} resolved it). */
    ChatResponse chat(String model, ChatRequest request);

    /** Answers a request on {@code model}, streaming its text to {@code sink}. */
    ChatResponse stream(String model, ChatRequest request, TokenSink sink, Cancellation cancellation);

    /** Which backend serves {@code model} now, if known. Never starts a model. */
    Optional<Served> served(String model);

    /**
     * What the response metadata says about the backend.
     *
     * @param backendId the backend's id ({@code docker}, {@code llamacpp}, ...)
     * @param detail    the backend's words for people (container name, address), may be empty
     */
    record Served(String backendId, String detail) {
    }

    /**
     * One started model; {@code model} is asked for lazily, so a {@link Supplier} that starts on
     * first use gives a lazy start. A request naming another model is refused: only the pool
     * serves many.
     */
    record Running(Supplier<RunningModel> model) implements ModelTarget {
        public Running {
            Objects.requireNonNull(model, "model");
        }

        @Override
        public String modelFor(String requested) {
            String running = model.get().info().modelId();
            if (requested != null && !requested.isBlank() && !requested.equals(running)) {
                throw new IllegalArgumentException("options.model is '" + requested + "', but this ChatModel runs model '"
                        + running + "' only; to pick any catalog model per request, use the pool"
                        + " (SnowcrashChatModel.builder().pool(...), or snowcrash.spring.pool=true)");
            }
            return running;
        }

        @Override
        public ChatResponse chat(String id, ChatRequest request) {
            return model.get().chat(request);
        }

        @Override
        public ChatResponse stream(String id, ChatRequest request, TokenSink sink, Cancellation cancellation) {
            return model.get().stream(request, sink, cancellation);
        }

        @Override
        public Optional<Served> served(String id) {
            SessionInfo info = model.get().info();
            return Optional.of(new Served(info.backendId(), info.detail() == null ? "" : info.detail()));
        }
    }

    /** The pool: any catalog model, started on its first request; {@code defaultModel} when the options name none. */
    record Pooled(ModelPool pool, String defaultModel) implements ModelTarget {
        public Pooled {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(defaultModel, "defaultModel");
        }

        @Override
        public String modelFor(String requested) {
            return requested != null && !requested.isBlank() ? requested : defaultModel;
        }

        @Override
        public ChatResponse chat(String id, ChatRequest request) {
            return pool.chat(id, request);
        }

        @Override
        public ChatResponse stream(String id, ChatRequest request, TokenSink sink, Cancellation cancellation) {
            return pool.stream(id, request, sink, cancellation);
        }

        @Override
        public Optional<Served> served(String id) {
            return pool.models().stream().filter(m -> m.id().equals(id)).findFirst().flatMap(PooledModel::backendId)
                    .map(b -> new Served(b, ""));
        }
    }
}
