package org.snowcrash.models.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a model file lives on a Hugging Face style hub, written {@code hf:<owner>/<repo>/<file>}
 * with an optional {@code @<revision>} (a branch, tag or commit; default {@code main}). The file
 * may sit in a folder of the repository ({@code hf:o/r/q4/model.gguf}). It is fetched from
 * {@code <hub>/<owner>/<repo>/resolve/<revision>/<file>}. The last {@code @} starts the revision,
 * so a file path cannot contain one.
 *
 * <p>Immutable; validated at construction, so every instance names a well-formed location.
 *
 * @param owner    the user or organisation
 * @param repo     the repository
 * @param file     the path of the file inside the repository, {@code /}-separated
 * @param revision branch, tag or commit hash
 */
public record HubSource(String owner, String repo, String file, String revision) {

    /** The prefix of the written form. */
    public static final String SCHEME = "hf:";
    /** The revision used when none is written. */
    public static final String DEFAULT_REVISION = "main";
    /** The written form, for messages. */
    public static final String FORM = "hf:<owner>/<repo>/<file>[@<revision>]";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}");
    private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    public HubSource {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(repo, "repo");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(revision, "revision");
        check(NAME.matcher(owner).matches(), "owner '" + owner + "' must be letters, digits, '.', '_' or '-'");
        check(NAME.matcher(repo).matches(), "repository '" + repo + "' must be letters, digits, '.', '_' or '-'");
        check(REVISION.matcher(revision).matches(), "revision '" + revision
                + "' must be a branch, tag or commit of letters, digits, '.', '_' or '-' (no '/')");
        check(!file.isEmpty(), "the file name is missing");
        for (String segment : file.split("/", -1)) {
            check(!segment.isEmpty() && !segment.equals(".") && !segment.equals(".."),
                    "file '" + file + "' must be a path inside the repository (no empty, '.' or '..' parts)");
        }
        check(file.chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == '\\'),
                "file '" + file + "' holds a control character or a backslash");
    }

    /**
     * Parses the written form.
     *
     * @throws IllegalArgumentException naming what is wrong and the expected form
     */
    public static HubSource parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.trim();
        if (!t.startsWith(SCHEME)) {
            throw new IllegalArgumentException("'" + text + "' is not a hub source: expected " + FORM);
        }
        String rest = t.substring(SCHEME.length());
        String revision = DEFAULT_REVISION;
        int at = rest.lastIndexOf('@');
        // The last '@' starts the revision (so a file path cannot hold one: no ambiguity).
        if (at >= 0) {
            revision = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (revision.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "': the revision after '@' is empty; expected " + FORM);
            }
        }
        String[] parts = rest.split("/", 3);
        if (parts.length < 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' names no file: expected " + FORM
                    + ", e.g. hf:bartowski/Llama-3.2-3B-Instruct-GGUF/Llama-3.2-3B-Instruct-Q4_K_M.gguf");
        }
        try {
            return new HubSource(parts[0], parts[1], parts[2], revision);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "': " + e.getMessage(), e);
        }
    }

    /**
     * The URL path segments under the hub, unencoded:
     * {@code [owner, repo, "resolve", revision, ...file parts]}.
     */
    public List<String> resolveSegments() {
        List<String> s = new ArrayList<>(List.of(owner, repo, "resolve", revision));
        s.addAll(List.of(file.split("/")));
        return s;
    }

    /** The file's own name, without folders. */
    public String fileName() {
        return file.substring(file.lastIndexOf('/') + 1);
    }

    /** The written form, revision included: {@code hf:owner/repo/file@revision}. */
    @Override
    public String toString() {
        return SCHEME + owner + "/" + repo + "/" + file + "@" + revision;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
