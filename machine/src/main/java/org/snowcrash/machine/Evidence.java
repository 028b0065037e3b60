package org.snowcrash.machine;

import java.util.Objects;

/**
 * One thing the detection read and what it made of it, so that a doctor can explain every
 * conclusion: {@code /etc/nv_tegra_release} said L4T 36.4.0; {@code nvidia-smi} was not on the
 * path. Immutable.
 *
 * @param source  the file (as the system names it, e.g. {@code /proc/meminfo}) or command that was read
 * @param finding what it said, or why it could not be used
 */
public record Evidence(String source, String finding) {

    public Evidence {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(finding, "finding");
    }

    /** {@code source: finding}, for a line of output. */
    public String describe() {
        return source + ": " + finding;
    }
}
