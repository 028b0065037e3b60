package org.snowcrash.api;

import java.util.EnumSet;
import java.util.Set;

/**
 * What a backend honours beyond plain chat. A backend declares its capabilities with
 * {@link LlmBackend#capabilities()}; a request {@linkplain ChatRequest#requiredCapabilities() needs}
 * some. The fallback chain and the pool skip, with the reason recorded, a backend that lacks what a
 * request needs, and a session refuses such a request with {@link ChatFailure.Unsupported}: a request's
 * needs never silently degrade.
 *
 * <p>New constants may be added in later versions; a backend declares only those it knows.
 */
public enum Capability {
    /** Tools offered with a tool choice other than {@code none}: the answer may be, or must be, calls. */
    TOOLS,
    /** A {@code json_object} or {@code json_schema} response format, held by constrained generation. */
    JSON_SCHEMA,
    /** Generation constrained by a grammar (what the two above are built on where the server has no native support). */
    GRAMMAR,
    /** Reasoning kept apart from the answer ({@code reasoning_content}), for models that think aloud. */
    REASONING;

    /** No capabilities. */
    public static Set<Capability> none() {
        return EnumSet.noneOf(Capability.class);
    }
}
