package org.snowcrash.backend.docker;

/**
 * Image names as Docker's own CLI reads them. An image without a tag or digest means
 * {@code :latest}: the engine's pull API, given a bare repository, would pull every tag.
 */
final class ImageReference {

    private ImageReference() {
    }

    /** {@code name} with {@code :latest} added when it names neither a tag nor a digest. */
    static String withDefaultTag(String name) {
        if (name.isEmpty() || name.contains("@")) {
            return name;
        }
        // A ':' before the last '/' belongs to a registry's port (host:5000/repo), not to a tag.
        int slash = name.lastIndexOf('/');
        return name.indexOf(':', slash + 1) >= 0 ? name : name + ":latest";
    }
}
