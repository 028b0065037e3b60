package org.snowcrash.registry;

import java.util.List;

/** A backend was asked for by id and no jar on the classpath provides it. */
public final class UnknownBackendException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String id;

    public UnknownBackendException(String id, List<String> found, List<BrokenPlugin> broken) {
        super(message(id, found, broken));
        this.id = id;
    }

    /** The id that was asked for. */
    public String id() {
        return id;
    }

    private static String message(String id, List<String> found, List<BrokenPlugin> broken) {
        StringBuilder b = new StringBuilder("no backend with id '").append(id).append("' is on the classpath");
        b.append(found.isEmpty() ? " (no backend was found at all)" : " (found: " + String.join(", ", found) + ")");
        b.append(". Add the jar that provides it, e.g. snowcrash-backend-").append(id)
                .append("-<version>.jar, to the lib/ folder (or the classpath)");
        if (!broken.isEmpty()) {
            b.append("; plugins that failed to load:");
            broken.forEach(p -> b.append("\n  - ").append(p.describe()));
        }
        return b.toString();
    }
}
