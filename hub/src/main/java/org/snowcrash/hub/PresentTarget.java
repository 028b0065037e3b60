package org.snowcrash.hub;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Optional;
import org.snowcrash.api.Cancellation;
import org.snowcrash.models.ModelValidator;

/**
 * Whether the target is already the hub's file, so nothing is downloaded: a sound GGUF whose
 * sha256 is the hub's (or, when the hub announces none, whose size matches). A target that is
 * not usable, or another version, is downloaded again, with a note saying why.
 */
final class PresentTarget {

    private PresentTarget() {
    }

    /** The result when {@code target} is already the file; empty when it must be downloaded. */
    static Optional<PullResult> check(Path target, Path part, HubMetadata meta, Cancellation cancel, DownloadListener listener)
            throws DownloadException {
        if (!Files.exists(target)) {
            return Optional.empty();
        }
        if (ModelValidator.check(target) instanceof ModelValidator.Result.Invalid invalid) {
            listener.note(target + " is there but not usable (" + invalid.problem().detail() + "): downloading it again");
            return Optional.empty();
        }
        long size;
        try {
            size = Files.size(target);
        } catch (IOException e) {
            throw HubFailures.local(target, e, -1, -1, part, 0);
        }
        if (meta.sha256().isEmpty()) {
            if (meta.size() < 0 || meta.size() == size) {
                listener.note("the hub announced no sha256 for this file: the present file's GGUF header is sound");
                return Optional.of(new PullResult.AlreadyPresent(target, size, Optional.empty()));
            }
            listener.note(target + " is " + size + " bytes, the hub's is " + meta.size() + ": downloading it again");
            return Optional.empty();
        }
        listener.note("checking the sha256 of " + target);
        String sha;
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.READ)) {
            MessageDigest d = Sha256.digest();
            if (!Sha256.update(ch, ch.size(), d, cancel::isCancelled)) {
                throw new DownloadException(new DownloadFailure.Interrupted(part, 0));
            }
            sha = Sha256.hex(d);
        } catch (IOException e) {
            throw HubFailures.local(target, e, -1, -1, part, 0);
        }
        if (sha.equals(meta.sha256().get())) {
            return Optional.of(new PullResult.AlreadyPresent(target, size, Optional.of(sha)));
        }
        listener.note(target + " has sha256 " + sha + ", the hub's is " + meta.sha256().get() + ": downloading it again");
        return Optional.empty();
    }
}
