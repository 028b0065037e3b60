package org.snowcrash.backend.docker;

import com.sun.security.auth.module.UnixSystem;

/**
 * The {@code uid:gid} a container runs as when {@code backend.docker.user} is not set: the
 * calling user's own. llama-server needs no root, and a container running as root with every
 * capability dropped cannot read the caller's private files (no {@code CAP_DAC_OVERRIDE}), while
 * one running as the caller reads exactly what the caller may.
 */
final class CallerIds {

    private CallerIds() {
    }

    static String resolve(DockerSettings settings) {
        if (!settings.user().isEmpty()) {
            return settings.user();
        }
        try {
            UnixSystem u = new UnixSystem();
            return u.getUid() + ":" + u.getGid();
        } catch (RuntimeException | LinkageError e) {
            // Not a Unix JVM (the engine is remote or a VM): the image's own user applies.
            return "";
        }
    }
}
