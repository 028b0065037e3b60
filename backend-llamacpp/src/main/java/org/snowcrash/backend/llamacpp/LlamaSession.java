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

import org.snowcrash.api.ToolSpec;
import org.snowcrash.tools.CallStream;
import org.snowcrash.tools.Reading;
import org.snowcrash.tools.ToolPrompt;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.Pair;

/**
 * A session on a model loaded in this process. Every request takes the model's lock, so
 * requests from several threads run one after another. After {@link #close()} the session
 * refuses requests itself (the native model would still answer; that is a 4.2.0 flaw).
 *
 * <p>Tools: the conversation is rendered with {@link ToolPrompt} (the tools shown unless
 * {@code tool_choice} is none), the request's {@link Shape} says whether and how a grammar
 * constrains the answer, and call answers are read with {@link CallStream} (deltas to the sink,
 * ids from {@code CallIds}). See docs/backend-inprocess-tools.md.
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
            // With tool_choice none the tools are not shown at all: the model cannot call what it does not see.
            List<ToolSpec> shown = request.offersTools() ? request.tools() : List.of();
            String prompt = render(ToolPrompt.render(request.messages(), shown));
            int[] tokens = tokens(prompt);
            int promptTokens = tokens.length;
            if (promptTokens + 1 > spec.contextSize()) {
                throw error(new ChatFailure.ContextOverflow(promptTokens, spec.contextSize()), null);
            }
            Shape shape;
            try {
                shape = Shape.of(request, loaded.grammars());
            } catch (Grammars.UnusableSchema e) {
                // What llama-server answers for a schema its converter rejects: the request is at fault.
                throw error(new ChatFailure.ServerError(400, "invalid_request_error",
                        "the schema cannot be turned into a grammar: " + e.getMessage()), e);
            }
            int cached = loaded.cache().reuse(tokens);
            Answer answer;
            try {
                answer = generate(request, prompt, shape, sink, cancellation);
            } catch (RuntimeException e) {
                loaded.cache().forget();
                throw e;
            }
            if (answer.pass().end() != Pass.End.DONE) {
                loaded.cache().forget(); // the slot's content is uncertain after a pass was cut short
            }
            String text = answer.pass().text();
            int completion = completionTokens(text, answer.pass().outputs(), request.maxTokens());
            FinishReason reason = answer.pass().end() == Pass.End.CANCELLED ? FinishReason.CANCELLED
                    : completion >= request.maxTokens() ? FinishReason.LENGTH : FinishReason.STOP;
            Usage usage = new Usage(promptTokens, completion, cached);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
            if (answer.reading() instanceof Reading.Calls c && reason != FinishReason.CANCELLED) {
                return new ChatResponse("", FinishReason.TOOL_CALLS, usage, elapsed, c.calls(), "");
            }
            return new ChatResponse(text, reason, usage, elapsed);
        } finally {
            loaded.lock().unlock();
        }
    }

    /**
     * The last pass of a request, and how its text reads (calls, or text) when the answer could be calls.
     */
    private record Answer(Pass.Outcome pass, Reading reading) {
    }

    private Answer generate(ChatRequest request, String prompt, Shape shape, TokenSink sink, Cancellation cancellation) {
        if (shape instanceof Shape.Calls c) {
            return calls(request, prompt, c.grammar(), sink, cancellation);
        }
        if (shape instanceof Shape.JsonOrCalls j) {
            return calls(request, prompt, j.grammar(), sink, cancellation);
        }
        if (shape instanceof Shape.TextOrCalls t) {
            // Free first, at full speed; only an answer that begins a call is generated again under
            // the call grammar. The prompt is cached in the slot, so the second pass starts at once.
            CallGate gate = new CallGate(sink);
            Pass.Outcome free = pass(request, prompt, null, gate, cancellation, gate::call);
            if (free.end() != Pass.End.STOPPED) {
                gate.finish();
                return new Answer(free, null);
            }
            return calls(request, prompt, t.callGrammar(), sink, cancellation);
        }
        String grammar = shape instanceof Shape.Json j ? j.grammar() : null;
        return new Answer(pass(request, prompt, grammar, sink, cancellation, () -> false), null);
    }

    private Answer calls(ChatRequest request, String prompt, String grammar, TokenSink sink, Cancellation cancellation) {
        CallStream reader = new CallStream(sink);
        Pass.Outcome out = pass(request, prompt, grammar, reader, cancellation, () -> false);
        Reading reading = reader.finish();
        if (!(reading instanceof Reading.Calls) && reader.readingCalls() && !out.text().isEmpty()) {
            // Read as calls while it streamed, and it is not (a JSON answer, or a call cut at the
            // token limit): the text was held back from the sink, so it goes now, whole.
            try {
                sink.accept(out.text());
            } catch (RuntimeException e) {
                throw error(new ChatFailure.SinkFailed(e.toString()), e);
            }
        }
        return new Answer(out, reading);
    }

    private Pass.Outcome pass(ChatRequest request, String prompt, String grammar, TokenSink sink, Cancellation cancellation,
                              java.util.function.BooleanSupplier stop) {
        InferenceParameters p = new InferenceParameters(prompt)
                .setNPredict(request.maxTokens())
                .setCachePrompt(true);
        request.temperature().ifPresent(t -> p.setTemperature((float) t));
        request.seed().ifPresent(s -> p.setSeed((int) s));
        if (!request.stop().isEmpty()) {
            p.setStopStrings(request.stop().toArray(new String[0]));
        }
        if (grammar == null) {
            return Pass.run(loaded.model(), p, sink, () -> cancellation.isCancelled() || closed, stop, this::error);
        }
        p.setGrammar(grammar);
        // llama.cpp does not fail a request whose grammar it cannot parse: it prints why and
        // generates free text. Every grammar built here starts with '{', so a first piece that does
        // not is the sign, and the request fails rather than pass unconstrained text off as valid.
        GrammarGuard guard = new GrammarGuard(sink);
        Pass.Outcome out = Pass.run(loaded.model(), p, guard, () -> cancellation.isCancelled() || closed,
                () -> guard.refused() || stop.getAsBoolean(), this::error);
        if (guard.refused()) {
            throw error(new ChatFailure.Other("llama.cpp did not take the grammar built for this request (its log says why),"
                    + " so the answer would not have been constrained; first output: " + out.text()), null);
        }
        return out;
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
        return countPromptTokens(messages, List.of());
    }

    /** Exact: the prompt as {@link #stream} renders it with these tools shown, counted by the model's tokenizer. */
    @Override
    public int countPromptTokens(List<ChatMessage> messages, List<ToolSpec> tools) {
        loaded.lock().lock();
        try {
            ensureOpen();
            return count(render(ToolPrompt.render(messages, tools)));
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

    ChatException error(ChatFailure f, Throwable cause) {
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
