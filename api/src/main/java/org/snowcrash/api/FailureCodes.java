package org.snowcrash.api;

import java.util.regex.Pattern;

/**
 * Checks the {@code code()} of a {@link ChatFailure.Specific} or {@link StartFailure.BackendSpecific}
 * failure where it enters the runtime (the exception that carries it), so that a third-party
 * failure with a blank or odd code is refused at its source, naming its class, rather than turning
 * up as a strange error code in a front end. Stateless.
 */
final class FailureCodes {

    /** Lower snake case: a letter, then letters, digits and single underscores. */
    private static final Pattern CODE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");

    private FailureCodes() {
    }

    /** Throws {@link IllegalArgumentException} naming the failure's class if its code is not lower snake case. */
    static void check(Object failure, String code) {
        if (code == null || !CODE.matcher(code).matches()) {
            throw new IllegalArgumentException("the code() of failure " + failure.getClass().getName() + " must be lower "
                    + "snake case, like port_in_use, but is " + (code == null ? "null" : "'" + code + "'"));
        }
    }
}
