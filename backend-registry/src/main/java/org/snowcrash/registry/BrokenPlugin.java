package org.snowcrash.registry;

/**
 * A plugin that could not be loaded (bad service file, missing class, throwing constructor,
 * invalid or duplicate id). It is reported and never stops the others from being found.
 *
 * @param what  what was being loaded, as precisely as known (provider class name, jar)
 * @param cause why it failed
 */
public record BrokenPlugin(String what, Throwable cause) {

    /** One line: what and the root cause. */
    public String describe() {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root == cause ? String.valueOf(cause.getMessage())
                : cause.getMessage() + " (root cause: " + root + ")";
        return what + ": " + msg;
    }
}
