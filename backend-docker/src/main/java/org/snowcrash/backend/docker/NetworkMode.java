package org.snowcrash.backend.docker;

/** How a container's server is reached ({@code backend.docker.network}). */
enum NetworkMode {
    /** The default bridge; the server's port is published on the bind address only. */
    BRIDGE,
    /** The host's network, as the original project ran; the server listens on the bind address. */
    HOST;

    String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
