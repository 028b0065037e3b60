package org.snowcrash.backend.docker;

/** When the Docker backend pulls its image ({@code backend.docker.pull}). */
enum PullPolicy {
    /** Pull only when the image is not present locally (the default). */
    MISSING,
    /** Never pull: a missing image is a start failure. */
    NEVER,
    /** Pull before every start; the local image is used when the pull fails. */
    ALWAYS;

    String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
