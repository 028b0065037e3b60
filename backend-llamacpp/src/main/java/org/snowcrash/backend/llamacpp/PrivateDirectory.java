package org.snowcrash.backend.llamacpp;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import com.sun.security.auth.module.UnixSystem;

/**
 * A folder only this user can have made or changed, for code this process loads (the native
 * library). A predictable shared path such as {@code /tmp/snowcrash-jllama-<user>} is unsafe:
 * another local user can create it first, or as a link, and swap the library between the check
 * and the load, which runs their code as the victim. So every folder of the path that we create
 * is created {@code 0700}, and the final folder must be a real folder (not a link) owned by this
 * user and writable by nobody else; otherwise it is refused, with the reason.
 */
final class PrivateDirectory {

    private static final Set<PosixFilePermission> OTHERS_WRITE = Set.of(
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    private PrivateDirectory() {
    }

    /**
     * Creates {@code dir} (and missing parents) with mode 0700, or checks the one that exists.
     *
     * @throws IOException naming the folder and what is wrong with it
     */
    static Path ensure(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.notExists(abs, LinkOption.NOFOLLOW_LINKS)) {
            if (abs.getParent() != null && Files.notExists(abs.getParent(), LinkOption.NOFOLLOW_LINKS)) {
                ensure(abs.getParent());
            }
            try {
                Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                // Somebody made it between our check and our create: checked below like any other.
            }
        }
        check(abs);
        return abs;
    }

    /** Refuses a link, a non-folder, a folder of another user, or one others may write to. */
    static void check(Path dir) throws IOException {
        if (Files.isSymbolicLink(dir)) {
            throw new IOException(dir + " is a symbolic link; refusing to load native code through it (remove it)");
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is not a folder");
        }
        long owner = ((Number) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
        long me = new UnixSystem().getUid();
        if (owner != me) {
            throw new IOException(dir + " belongs to uid " + owner + ", not to this user (uid " + me
                    + "); refusing to load native code from it (remove it, or set de.kherud.llama.tmpdir)");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (perms.stream().anyMatch(OTHERS_WRITE::contains)) {
            throw new IOException(dir + " is writable by other users (" + PosixFilePermissions.toString(perms)
                    + "); refusing to load native code from it (chmod 700 it)");
        }
    }
}
