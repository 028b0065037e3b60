package org.snowcrash.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatException;
import org.snowcrash.api.ChatFailure;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.ChatResponse;
import org.snowcrash.api.FinishReason;
import org.snowcrash.api.ResponseFormat;
import org.snowcrash.api.SessionInfo;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.ToolCall;
import org.snowcrash.api.ToolChoice;

/**
 * One turn: the model answers, and while it calls tools they run and their results go back to
 * it, up to {@code maxToolSteps} rounds of calls; then it must answer in text. An answer that
 * breaks the request (a call that does not validate) is not acted on: the model is told what
 * was wrong and asked again, up to {@code maxReasks} times. Each request is planned to fit the
 * context with the turn so far.
 */
final class Turn {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final RunningModel model;
    private final Function<SessionInfo, PromptCosts> costsFor;
    private final Consumer<AgentEvent> listeners;
    private final String systemPrompt;
    private final int maxTokens;
    private final OptionalDouble temperature;
    private final TrimPolicy trimPolicy;
    private final Toolbox toolbox;
    private final int maxToolSteps;
    private final int maxReasks;
    private final List<Exchange> kept;
    private final TokenSink sink;
    private final Cancellation cancellation;
    /** The question, then the calls and results so far; the answer is added last. */
    private final List<ChatMessage> messages = new ArrayList<>();
    /** A rejected answer and what was wrong with it: sent with the next request only. */
    private final List<ChatMessage> correction = new ArrayList<>();
    private PromptCosts costs;
    private int drop;

    /**
     * @param costsFor  the token costs for the backend serving now (the agent keeps them between turns)
     * @param listeners where the turn's events go
     * @param kept      the exchanges kept from earlier turns, oldest first
     */
    Turn(RunningModel model, Conversation conversation, Function<SessionInfo, PromptCosts> costsFor,
         Consumer<AgentEvent> listeners, ChatMessage question, List<Exchange> kept, TokenSink sink,
         Cancellation cancellation) {
        this.model = model;
        this.costsFor = costsFor;
        this.listeners = listeners;
        this.systemPrompt = conversation.systemPrompt();
        this.maxTokens = conversation.maxTokens();
        this.temperature = conversation.temperature();
        this.trimPolicy = conversation.trimPolicy();
        this.toolbox = conversation.toolbox();
        this.maxToolSteps = conversation.maxToolSteps();
        this.maxReasks = conversation.maxReasks();
        this.kept = kept;
        this.sink = sink;
        this.cancellation = cancellation;
        messages.add(question);
    }

    List<ChatMessage> messages() {
        return messages;
    }

    PromptCosts costs() {
        return costs;
    }

    int drop() {
        return drop;
    }

    ChatResponse run() {
        int steps = 0;
        int reasks = 0;
        while (true) {
            ToolChoice choice = steps >= maxToolSteps ? ToolChoice.NONE : ToolChoice.AUTO;
            Planned planned = plan();
            ChatRequest request = new ChatRequest(planned.messages(), planned.plan().maxTokens(), temperature,
                    OptionalLong.empty(), List.of(), toolbox.specs(), choice, true, ResponseFormat.TEXT);
            SentenceSplitter sentences = new SentenceSplitter();
            ChatResponse response;
            try {
                response = model.stream(request, new Speaker(sink, sentences), cancellation);
            } catch (ChatException e) {
                if (e.failure() instanceof ChatFailure.ContextOverflow o) {
                    // The backend counted more than the parts added up to: the next estimate knows.
                    costs.observe(planned.plan().promptTokens(), o.promptTokens());
                }
                if (e.failure() instanceof ChatFailure.InvalidAnswer invalid && reasks < maxReasks && !cancellation.isCancelled()) {
                    reasks++;
                    listeners.accept(new AgentEvent.AnswerRejected(invalid.what(), invalid.answer()));
                    correction.clear();
                    correction.add(ChatMessage.assistant(invalid.answer()));
                    correction.add(ChatMessage.user("That answer was not valid: " + invalid.what() + ". Answer again."));
                    continue;
                }
                throw e;
            }
            for (String sentence : sentences.flush()) {
                listeners.accept(new AgentEvent.Sentence(sentence));
            }
            if (response.finishReason() == FinishReason.CANCELLED) {
                messages.add(ChatMessage.assistant(response.text()));
                return response;
            }
            costs.observe(planned.plan().promptTokens(), response.usage().promptTokens());
            correction.clear();
            if (!response.hasToolCalls()) {
                messages.add(ChatMessage.assistant(response.text()));
                return response;
            }
            messages.add(response.asMessage());
            for (ToolCall call : response.toolCalls()) {
                listeners.accept(new AgentEvent.ToolCalled(call));
                Toolbox.Outcome outcome = toolbox.run(call);
                listeners.accept(new AgentEvent.ToolResult(call, outcome.result(), outcome.failed()));
                messages.add(ChatMessage.toolResult(call.id(), outcome.result()));
            }
            steps++;
            if (cancellation.isCancelled()) {
                messages.add(ChatMessage.assistant(""));
                return new ChatResponse("", FinishReason.CANCELLED, response.usage(), response.elapsed(), java.util.List.of(), "",
                        response.servedBy());
            }
        }
    }

    /** The next request's messages, with as many old exchanges as fit. */
    private Planned plan() {
        SessionInfo info = model.info();
        PromptCosts c = costsFor.apply(info);
        int fixed = c.fixed();
        int asked = c.exchange(withCorrection());
        if (!model.info().backendId().equals(info.backendId())) {
            // The count found the backend dead and the model restarted on another one: count
            // again with the tokenizer that will serve this request.
            info = model.info();
            c = costsFor.apply(info);
            fixed = c.fixed();
            asked = c.exchange(withCorrection());
        }
        costs = c;
        int[] sizes = kept.stream().mapToInt(Exchange::tokens).toArray();
        ContextBudget.Plan plan;
        try {
            plan = ContextBudget.plan(trimPolicy, info.contextSize(), maxTokens, fixed, sizes, asked);
        } catch (ContextBudget.Overflow e) {
            throw new ChatException(info.backendId(), "model " + info.modelId()
                    + (toolbox.isEmpty() ? "" : " with " + toolbox.specs().size() + " tools offered"), e.failure);
        }
        // Within a turn the prompt only grows: what an earlier step left out stays out.
        drop = Math.max(drop, plan.drop());
        if (drop > 0) {
            LOG.debug("leaving out {} old exchanges to fit the context of {} tokens ({})", drop, info.contextSize(), trimPolicy);
        }
        List<ChatMessage> all = new ArrayList<>();
        if (!systemPrompt.isEmpty()) {
            all.add(ChatMessage.system(systemPrompt));
        }
        for (Exchange e : kept.subList(drop, kept.size())) {
            all.addAll(e.messages());
        }
        all.addAll(withCorrection());
        return new Planned(all, plan);
    }

    private List<ChatMessage> withCorrection() {
        if (correction.isEmpty()) {
            return messages;
        }
        List<ChatMessage> l = new ArrayList<>(messages);
        l.addAll(correction);
        return l;
    }

    /** A request's messages and the plan they were chosen by. */
    private record Planned(List<ChatMessage> messages, ContextBudget.Plan plan) {
    }

    /**
     * Where an answer's pieces go: text to the caller's sink, to listeners as tokens and, cut into
     * sentences, for speech; reasoning to listeners only (never spoken, never part of the answer);
     * tool-call pieces nowhere (a call is announced whole, when it is about to run).
     */
    private final class Speaker implements TokenSink {
        private final TokenSink sink;
        private final SentenceSplitter sentences;

        Speaker(TokenSink sink, SentenceSplitter sentences) {
            this.sink = sink;
            this.sentences = sentences;
        }

        @Override
        public void accept(String piece) {
            listeners.accept(new AgentEvent.Token(piece));
            sink.accept(piece);
            for (String sentence : sentences.accept(piece)) {
                listeners.accept(new AgentEvent.Sentence(sentence));
            }
        }

        @Override
        public void reasoning(String piece) {
            listeners.accept(new AgentEvent.Reasoning(piece));
        }
    }
}
