package org.snowcrash.agent;

import java.util.List;

import org.snowcrash.api.SessionInfo;
import org.snowcrash.api.ToolSpec;

/**
 * An agent's prompt costs, valid for one backend: counts from another backend's tokenizer are
 * worth nothing, so after a fallback to another backend the kept exchanges are counted again,
 * once. Used under the agent's turn lock only.
 */
final class BackendCosts {

    private final RunningModel model;
    private final Conversation conversation;
    private final KeptExchanges kept;
    /** Token costs for {@link #backend}; replaced when another backend serves. */
    private PromptCosts costs;
    private String backend;

    BackendCosts(RunningModel model, Conversation conversation, KeptExchanges kept) {
        this.model = model;
        this.conversation = conversation;
        this.kept = kept;
    }

    /** The costs for the backend serving now ({@code info}'s), counting the kept exchanges again for a new one. */
    PromptCosts of(SessionInfo info) {
        if (costs != null && info.backendId().equals(backend)) {
            return costs;
        }
        List<ToolSpec> specs = conversation.toolbox().specs();
        PromptCosts fresh = new PromptCosts(messages -> model.countPromptTokens(messages, specs), conversation.systemPrompt());
        kept.recount(fresh::exchange);
        costs = fresh;
        backend = info.backendId();
        return fresh;
    }

    /** After a turn: when another backend took over during it, the next turn counts with its tokenizer. */
    void afterTurn() {
        if (costs != null && !model.info().backendId().equals(backend)) {
            costs = null;
        }
    }
}
