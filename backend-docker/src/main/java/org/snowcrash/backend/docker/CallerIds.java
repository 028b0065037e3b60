package org.snowcrash.backend.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.sun.security.auth.module.UnixSystem;

/**
 * The {@code uid:gid} a container runs as when {@code backend.docker.user} is not set: the
 * calling user's own. llama-server needs no root, and a container running as root with every
 * capability dropped cannot read the caller's private files (no {@code CAP_DAC_OVERRIDE}), while
 * one running as the caller reads exactly what the caller may.
 *
 * <p>The engine reads ids as the host sees them. A caller inside a user namespace
 * ({@code unshare --user --map-root-user}, a rootless sandbox) sees other ids, often 0; they are
 * mapped back through {@code /proc/self/uid_map} and {@code gid_map} to the ids outside.
 */
final class CallerIds {

    private CallerIds() {
    }

    static String resolve(DockerSettings settings) {
        return settings.user().isEmpty() ? own() : settings.user();
    }

    /** The caller's own {@code uid:gid} as the engine sees them; empty when this JVM cannot tell. */
    static String own() {
        try {
            UnixSystem u = new UnixSystem();
            return outside(u.getUid(), Path.of("/proc/self/uid_map")) + ":" + outside(u.getGid(), Path.of("/proc/self/gid_map"));
        } catch (RuntimeException | LinkageError e) {
            // Not a Unix JVM (the engine is remote or in a VM): the image's own user applies.
            return "";
        }
    }

    /** The id outside this process's user namespace; the id itself where there is no map (not Linux). */
    static long outside(long id, Path map) {
        List<String> lines;
        try {
            lines = Files.readAllLines(map);
        } catch (IOException | RuntimeException e) {
            return id;
        }
        return outside(id, lines);
    }

    /** {@code inside outside count} lines, as the kernel writes them. */
    static long outside(long id, List<String> mapLines) {
        for (String line : mapLines) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 3) {
                continue;
            }
            long inside = Long.parseLong(f[0]);
            long out = Long.parseLong(f[1]);
            long count = Long.parseLong(f[2]);
            if (id >= inside && id < inside + count) {
                return out + (id - inside);
            }
        }
        return id;
    }
}
