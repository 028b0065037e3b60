package org.snowcrash.backend.llamacpp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.SessionInfo;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.Usage;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.Pair;

/**
 * A session on a model loaded in this process. Every request takes the model's lock, so
 * requests from several threads run one after another. After {@link #close()} the session
 * refuses requests itself (the native model would still answer; that is a 4.2.0 flaw).
 *
 * <p>Token counts: java-llama.cpp 4.2.0 does not hand the native timings to Java, and one output
 * may hold several tokens. So the prompt is counted with the model's own tokenizer (plus BOS), and
 * the completion is the request's limit when generation ran to it, else the tokenizer's count of
 * the generated text, never more than the limit. The cached prompt tokens are computed as the
 * embedded server reuses them ({@link PromptCache}), a lower bound.
 */
final class LlamaSession implements ModelSession {

    private final ModelSpec spec;
    private final LoadedModel loaded;
    private final SessionInfo info;
    private volatile boolean closed;

    LlamaSession(ModelSpec spec, LoadedModel loaded) {
        this.spec = spec;
        this.loaded = loaded;
        this.info = new SessionInfo(LlamaCppBackend.ID, spec.id(), spec.contextSize(),
                "in-process llama.cpp, " + spec.file().getFileName());
    }

    @Override
    public SessionInfo info() {
        return info;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return stream(request, piece -> { }, new Cancellation());
    }

    @Override
    public ChatResponse stream(ChatRequest request, TokenSink sink, Cancellation cancellation) {
        long t0 = System.nanoTime();
        loaded.lock().lock();
        try {
            ensureOpen();
            String prompt = render(request.messages());
            int[] tokens = tokens(prompt);
            int promptTokens = tokens.length;
            if (promptTokens + 1 > spec.contextSize()) {
                throw error(new ChatFailure.ContextOverflow(promptTokens, spec.contextSize()), null);
            }
            InferenceParameters p = new InferenceParameters(prompt)
                    .setNPredict(request.maxTokens())
                    .setCachePrompt(true);
            request.temperature().ifPresent(t -> p.setTemperature((float) t));
            request.seed().ifPresent(s -> p.setSeed((int) s));
            if (!request.stop().isEmpty()) {
                p.setStopStrings(request.stop().toArray(new String[0]));
            }
            StringBuilder text = new StringBuilder();
            int outputs = 0;
            boolean cancelled = false;
            // Until the generation ends normally the slot's content is uncertain.
            int cached = loaded.cache().reuse(tokens);
            boolean clean = false;
            try {
                LlamaIterator it = loaded.model().generate(p).iterator();
                while (it.hasNext()) {
                    // Cancellation is checked here, on the generating thread: cancelling the native
                    // task from another thread while this one waits in receiveCompletion is unsafe in 4.2.0.
                    if (cancellation.isCancelled() || closed) {
                        it.cancel();
                        cancelled = true;
                        break;
                    }
                    LlamaOutput out = it.next();
                    outputs++;
                    if (!out.text.isEmpty()) {
                        text.append(out.text);
                        try {
                            sink.accept(out.text);
                        } catch (RuntimeException e) {
                            it.cancel();
                            throw error(new ChatFailure.SinkFailed(e.toString()), e);
                        }
                    }
                }
                clean = !cancelled;
            } catch (ChatException e) {
                throw e;
            } catch (RuntimeException e) {
                throw error(new ChatFailure.Other("generation failed: " + e.getMessage()), e);
            } finally {
                if (!clean) {
                    loaded.cache().forget();
                }
            }
            String generated = text.toString();
            int completion = completionTokens(generated, outputs, request.maxTokens());
            FinishReason reason = cancelled ? FinishReason.CANCELLED
                    : completion >= request.maxTokens() ? FinishReason.LENGTH : FinishReason.STOP;
            return new ChatResponse(generated, reason, new Usage(promptTokens, completion, cached),
                    Duration.ofNanos(System.nanoTime() - t0));
        } finally {
            loaded.lock().unlock();
        }
    }

    private int completionTokens(String generated, int outputs, int limit) {
        if (generated.isEmpty()) {
            return Math.min(outputs, limit);
        }
        int byTokenizer = loaded.model().encode(generated).length;
        return Math.min(limit, Math.max(outputs, byTokenizer));
    }

    @Override
    public int countPromptTokens(List<ChatMessage> messages) {
        loaded.lock().lock();
        try {
            ensureOpen();
            return count(render(messages));
        } finally {
            loaded.lock().unlock();
        }
    }

    private int count(String prompt) {
        return loaded.model().encode(prompt).length + (loaded.addBos() ? 1 : 0);
    }

    /**
     * The prompt's tokens as the slot sees them: the server tokenizes with special tokens added,
     * {@code encode} without, so BOS is put in front (as -1: its id does not matter for comparing).
     */
    private int[] tokens(String prompt) {
        int[] body = loaded.model().encode(prompt);
        if (!loaded.addBos()) {
            return body;
        }
        int[] all = new int[body.length + 1];
        all[0] = -1;
        System.arraycopy(body, 0, all, 1, body.length);
        return all;
    }

    /** Applies the model's chat template (java-llama.cpp allows one leading system message). */
    private String render(List<ChatMessage> messages) {
        String system = null;
        List<Pair<String, String>> rest = new ArrayList<>();
        for (ChatMessage m : messages) {
            if (m.role() == ChatMessage.Role.SYSTEM) {
                system = m.content();
            } else {
                rest.add(new Pair<>(m.role().wireName(), m.content()));
            }
        }
        try {
            return loaded.model().applyTemplate(new InferenceParameters("").setMessages(system, rest));
        } catch (RuntimeException e) {
            throw error(new ChatFailure.Other("the chat template could not be applied: " + e.getMessage()), e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw error(new ChatFailure.Closed(), null);
        }
    }

    private ChatException error(ChatFailure f, Throwable cause) {
        return new ChatException(LlamaCppBackend.ID, "model " + spec.id(), f, cause);
    }

    @Override
    public boolean isAlive() {
        return !closed;
    }

    /**
     * Marks the session closed. The native model stays loaded for reuse (closing it frees little
     * and keeps the JVM from exiting in 4.2.0).
     */
    @Override
    public void close() {
        closed = true;
    }
}
