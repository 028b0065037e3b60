package org.snowcrash.testkit.fake;

import java.util.Set;

import org.snowcrash.api.Capability;

/** What a {@link FakeBackend} is: every field optional. Not thread-safe. */
public final class FakeBackendBuilder {
    final String id;
    int priority = 10;
    FakeBackend.Mode mode = FakeBackend.Mode.WORKS;
    Set<Capability> capabilities = Set.of();
    Set<String> modelSettings = Set.of();
    PromptCounter counter = PromptCounter.characters();
    FakeBackend.Reply reply = FakeBackend.Reply.ECHO;
    boolean enforceContext;

    FakeBackendBuilder(String id) {
        this.id = id;
    }

    /** Its default priority (10). */
    public FakeBackendBuilder priority(int priority) {
        this.priority = priority;
        return this;
    }

    /** What availability and start do at first ({@link FakeBackend.Mode#WORKS}). */
    public FakeBackendBuilder mode(FakeBackend.Mode mode) {
        this.mode = mode;
        return this;
    }

    /** What it declares it honours (nothing). */
    public FakeBackendBuilder capabilities(Set<Capability> capabilities) {
        this.capabilities = capabilities;
        return this;
    }

    /** The per-model keys it declares, as a third-party backend would (none). */
    public FakeBackendBuilder modelSettings(Set<String> modelSettings) {
        this.modelSettings = modelSettings;
        return this;
    }

    /** Its tokenizer ({@link PromptCounter#characters()}). */
    public FakeBackendBuilder counter(PromptCounter counter) {
        this.counter = counter;
        return this;
    }

    /** How it answers unscripted requests ({@link FakeBackend.Reply#ECHO}). */
    public FakeBackendBuilder reply(FakeBackend.Reply reply) {
        this.reply = reply;
        return this;
    }

    /** Refuse prompts that fill the context, as a server does, with {@code ContextOverflow}. */
    public FakeBackendBuilder enforceContext() {
        this.enforceContext = true;
        return this;
    }

    /** The backend. */
    public FakeBackend build() {
        return new FakeBackend(this);
    }
}
