package org.snowcrash.hub;

import java.nio.file.Path;
import java.util.Optional;

/** What {@link HubDownloader#pull} did. */
public sealed interface PullResult {

    /** The model file, in place. */
    Path file();

    /** Its size in bytes. */
    long size();

    /**
     * The file was there already and is a sound GGUF; when the hub announced a sha256, the file
     * matches it ({@code sha256} is then present). Nothing was downloaded.
     */
    record AlreadyPresent(Path file, long size, Optional<String> sha256) implements PullResult {
    }

    /**
     * The file was downloaded and moved into place.
     *
     * @param sha256      the content's sha256
     * @param verified    whether the hub announced a sha256 and the content matched it (otherwise
     *                    only the GGUF header was checked)
     * @param resumedFrom bytes a partial file already held before this run (0 for a fresh download)
     * @param commit      the revision the hub named ({@code X-Repo-Commit}), if any
     */
    record Downloaded(Path file, long size, String sha256, boolean verified, long resumedFrom,
                      Optional<String> commit) implements PullResult {
    }
}
