package org.snowcrash.cli;

import java.util.List;

import org.snowcrash.api.Availability;
import org.snowcrash.api.BackendContext;
import org.snowcrash.registry.Candidate;
import org.snowcrash.registry.Configuration;
import org.snowcrash.registry.Discovery;

/**
 * Each discovered backend's state in words, in try order: what {@code snowcrash backends} lists and
 * {@code snowcrash doctor} reports. An availability check that throws is a reason, never a crash.
 */
final class BackendStates {

    /** One backend's state; {@code available} when it could serve now. */
    record State(Candidate candidate, String text, boolean available) {
    }

    private BackendStates() {
    }

    static List<State> of(Discovery discovery, Configuration config) {
        BackendContext context = BackendContext.of(config);
        return discovery.candidates().stream().map(c -> state(c, context)).toList();
    }

    private static State state(Candidate c, BackendContext context) {
        if (!c.enabled()) {
            return new State(c, "disabled (backend." + c.id() + ".enabled=false)", false);
        }
        Availability a;
        try {
            a = c.backend().availability(context);
        } catch (RuntimeException | LinkageError e) {
            a = Availability.unavailable("availability check threw " + e);
        }
        if (a instanceof Availability.Unavailable u) {
            return new State(c, "unavailable: " + u.reason(), false);
        }
        if (a instanceof Availability.NotConfigured n) {
            return new State(c, "not configured (not tried): " + n.howTo(), false);
        }
        return new State(c, "available", true);
    }
}
