package org.snowcrash.registry;

import java.util.List;

import org.snowcrash.api.SnowcrashException;

/** A backend was asked for by id and no jar on the classpath provides it. */
public final class UnknownBackendException extends SnowcrashException {

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

    /** Always {@link Kind#BAD_INPUT}: the jar is the user's to add. */
    @Override
    public Kind kind() {
        return Kind.BAD_INPUT;
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
