package org.snowcrash.machine;

import java.util.Locale;

/** Byte sizes for people. */
final class Sizes {

    private Sizes() {
    }

    /** {@code 7.5 GiB}, or MiB below one GiB. */
    static String gib(long bytes) {
        if (bytes < (1L << 30)) {
            return String.format(Locale.ROOT, "%d MiB", bytes >> 20);
        }
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
}
