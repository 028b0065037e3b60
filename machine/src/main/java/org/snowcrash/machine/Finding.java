package org.snowcrash.machine;

import java.util.Objects;
import java.util.Optional;

/**
 * One line of {@code snowcrash doctor}: what was found about one subject, how good it is, and
 * what to change when it is not. Immutable.
 *
 * @param status  how good it is
 * @param subject what it is about ({@code docker image}, {@code docker gpu}, {@code docker engine})
 * @param text    what was found, with where it came from
 * @param fix     what to change; present for {@link Status#WARN} and {@link Status#PROBLEM} when something can be done
 */
public record Finding(Status status, String subject, String text, Optional<String> fix) {

    /** How good a finding is. */
    public enum Status {
        /** Works as it should. */
        OK,
        /** Worth knowing; nothing to change. */
        INFO,
        /** Works, but not as well as it could (a CPU image on a GPU machine). */
        WARN,
        /** Does not work. */
        PROBLEM
    }

    public Finding {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(fix, "fix");
    }

    /** A finding with nothing to change. */
    public static Finding of(Status status, String subject, String text) {
        return new Finding(status, subject, text, Optional.empty());
    }

    /** A finding with what to change. */
    public static Finding fix(Status status, String subject, String text, String fix) {
        return new Finding(status, subject, text, Optional.of(fix));
    }
}
