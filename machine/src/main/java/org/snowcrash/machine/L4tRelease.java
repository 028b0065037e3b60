package org.snowcrash.machine;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Jetson's Linux for Tegra release, {@code 36.4.0}, as the first line of
 * {@code /etc/nv_tegra_release} states it: {@code # R36 (release), REVISION: 4.0, GCID: ..., BOARD: ...}
 * (the format NVIDIA's L4T images write, and the one jetson-containers' {@code l4t_version.py}
 * parses: the major number after {@code R}, then the revision's minor and patch). Immutable.
 *
 * @param major the release ({@code R36}): 32 is JetPack 4, 34/35 JetPack 5, 36 JetPack 6
 * @param minor the revision's first number
 * @param patch the revision's second number (0 when the revision has only one)
 */
public record L4tRelease(int major, int minor, int patch) implements Comparable<L4tRelease> {

    private static final Pattern FIRST_LINE = Pattern.compile(
            "#\\s*R(\\d{1,4})\\s*\\(release\\),\\s*REVISION:\\s*(\\d{1,4})(?:\\.(\\d{1,4}))?.*");
    private static final Comparator<L4tRelease> ORDER = Comparator.comparingInt(L4tRelease::major)
            .thenComparingInt(L4tRelease::minor).thenComparingInt(L4tRelease::patch);

    public L4tRelease {
        if (major < 0 || minor < 0 || patch < 0) {
            throw new IllegalArgumentException("negative L4T release part: " + major + "." + minor + "." + patch);
        }
    }

    /** The release in the first line of {@code /etc/nv_tegra_release}; empty when the line is not in that format. */
    public static Optional<L4tRelease> parseFirstLine(String line) {
        Matcher m = FIRST_LINE.matcher(line.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new L4tRelease(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3))));
    }

    @Override
    public int compareTo(L4tRelease o) {
        return ORDER.compare(this, o);
    }

    /** {@code 36.4.0}. */
    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
