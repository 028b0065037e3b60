package org.snowcrash.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.snowcrash.api.ConfigurationException;

/**
 * The bearer key every request but {@code /health} (and the viewer's static files) must carry.
 * It comes from {@code serve.api-key} when that is set; otherwise from a key file in the user's
 * configuration folder, which is generated with {@code 0600} permissions on first start and
 * reused after. Immutable; {@link #matches} is safe to call from any thread.
 *
 * @param value     the key
 * @param origin    where it came from, for people ({@code "serve.api-key (from file ...)"} or the file)
 * @param file      the key file, when the key lives in one
 * @param generated whether this start generated the file
 */
record ApiKey(String value, String origin, Optional<Path> file, boolean generated) {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    @Override
    public String toString() {
        return "ApiKey[" + origin + "]"; // never the key itself, whoever logs this record
    }

    /** Whether {@code presented} is this key, compared in constant time. */
    boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The key for these settings: the configured one, or the key file's, which is generated when
     * it does not exist yet. Blocks for a little file I/O.
     *
     * @throws ConfigurationException when the key file cannot be made, or exists but is not a
     *                                private regular file of this user (the message says why and what to do)
     */
    static ApiKey resolve(ServeSettings settings, String configuredSource) {
        if (settings.apiKey().isPresent()) {
            return new ApiKey(settings.apiKey().get(), ServeSettings.API_KEY + " (from " + configuredSource + ")",
                    Optional.empty(), false);
        }
        Path file = settings.keyFile();
        try {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                Optional<String> made = generate(file);
                if (made.isPresent()) {
                    return new ApiKey(made.get(), file.toString(), Optional.of(file), true);
                }
                // Another server made it at the same moment: use theirs.
            }
            return new ApiKey(read(file), file.toString(), Optional.of(file), false);
        } catch (IOException | UnsupportedOperationException e) {
            throw problem(file, "cannot be " + (Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? "read" : "created")
                    + ": " + e + "; set " + ServeSettings.API_KEY + " or " + ServeSettings.KEY_FILE);
        }
    }

    /** Writes a new key file, or returns empty when the file appeared meanwhile. */
    private static Optional<String> generate(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String key = "sc-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        // Written whole into a private temporary file, then linked under the final name: a reader
        // never sees a half-written key, and two servers starting at once agree on one key.
        Path tmp = Files.createTempFile(dir, ".serve-key", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            Files.writeString(tmp, key + "\n", StandardCharsets.UTF_8);
            Files.createLink(file, tmp);
            return Optional.of(key);
        } catch (FileAlreadyExistsException e) {
            return Optional.empty();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads a key file after checking that only this user can read or change it. */
    private static String read(Path file) throws IOException {
        PosixFileAttributes a = Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes();
        if (!a.isRegularFile()) {
            throw problem(file, "is not a regular file (a link or a folder); remove it to have a key generated");
        }
        UserPrincipal me = file.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name"));
        if (!a.owner().equals(me)) {
            throw problem(file, "belongs to " + a.owner().getName() + ", not to " + me.getName()
                    + "; remove it to have a key generated");
        }
        if (!OWNER_ONLY.containsAll(a.permissions())) {
            throw problem(file, "is readable or writable by others (" + PosixFilePermissions.toString(a.permissions())
                    + "); run chmod 600 on it, or remove it to have a new key generated");
        }
        String key = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (key.length() < 16 || !key.matches("[\\x21-\\x7e]+")) {
            throw problem(file, "does not hold a key (at least 16 printable characters on one line)");
        }
        return key;
    }

    private static ConfigurationException problem(Path file, String message) {
        return new ConfigurationException(List.of(new ConfigurationException.Problem(
                ServeSettings.KEY_FILE, file.toString(), "key file", message)));
    }
}
