package org.snowcrash.backend.docker;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Decides, from what the engine says of a container, whether its owner is provably gone, so an
 * automatic sweep may remove it. A pure function: no Docker call, no clock of its own.
 *
 * <p>The proof: every container we make is bound to its owner's attach connection and ends when
 * that closes (see {@link Lifeline}). So a <em>running</em> container has a live owner, whatever
 * its pid label says, and is never swept. A container that has <em>exited</em> serves nobody. One
 * still <em>created</em> (never started) long after creation lost its owner between the create
 * and attach calls, which take milliseconds when the owner lives. Only {@code stop-all}, an
 * explicit command, removes running containers.
 */
final class Abandonment {

    /** How long a container may stay created-but-not-started before its owner counts as gone. */
    static final Duration CREATED_GRACE = Duration.ofMinutes(2);

    private Abandonment() {
    }

    /**
     * @param labels  the container's labels
     * @param state   the engine's state word ({@code created}, {@code running}, {@code exited}, ...)
     * @param created when the engine created it
     * @param now     the time to judge at
     */
    static boolean isAbandoned(Map<String, String> labels, String state, Instant created, Instant now) {
        if (!Labels.isOurs(labels) || state == null) {
            return false;
        }
        return switch (state) {
            // "removing": the engine is already taking it away (an auto-removed container that exited).
            case "exited", "dead", "removing" -> true;
            case "created" -> Duration.between(created, now).compareTo(CREATED_GRACE) > 0;
            default -> false;
        };
    }
}
