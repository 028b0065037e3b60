package org.snowcrash.api;

/**
 * Whether and which tool the model must call, as the OpenAI API's {@code tool_choice} says it.
 * Every backend either honours it or refuses the request; Snowcrash never lets a request that asks
 * for a call be answered by text.
 */
public sealed interface ToolChoice {

    /** The model decides: text, or one or more calls. The default when tools are offered. */
    record Auto() implements ToolChoice {
    }

    /** No call: the model answers in text even though tools are offered (they still describe what exists). */
    record None() implements ToolChoice {
    }

    /** The model must call at least one of the offered tools. */
    record Required() implements ToolChoice {
    }

    /** The model must call this tool. */
    record Named(String name) implements ToolChoice {
        public Named {
            ToolSpec.checkName(name);
        }
    }

    ToolChoice AUTO = new Auto();
    ToolChoice NONE = new None();
    ToolChoice REQUIRED = new Required();

    /** The choice that forces a call to {@code name}. */
    static ToolChoice named(String name) {
        return new Named(name);
    }

    /** Whether this choice means the answer must be a call. */
    default boolean forcesCall() {
        return this instanceof Required || this instanceof Named;
    }

    /** The wire form's words: {@code auto}, {@code none}, {@code required}, or the named tool's name. */
    default String describe() {
        if (this instanceof Named n) {
            return "function " + n.name();
        }
        return this instanceof Auto ? "auto" : this instanceof None ? "none" : "required";
    }
}
