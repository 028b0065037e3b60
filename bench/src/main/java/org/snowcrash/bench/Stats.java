package org.snowcrash.bench;

import java.util.Arrays;
import java.util.Locale;

/** Percentiles, medians and number formats for every row of the harness. */
final class Stats {

    private Stats() {
    }

    /** Nearest rank: the smallest value with at least {@code p} % of the values at or below it. */
    static double percentile(double[] values, int p) {
        double[] v = values.clone();
        Arrays.sort(v);
        int rank = (int) Math.ceil(p / 100.0 * v.length);
        return v[Math.max(0, rank - 1)];
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** One decimal below 100, none above. */
    static String ms(double d) {
        return String.format(Locale.ROOT, d < 100 ? "%.1f" : "%.0f", d);
    }

    static String ratio(double d) {
        return String.format(Locale.ROOT, "%.2f", d);
    }

    /** No decimals. */
    static String whole(double d) {
        return String.format(Locale.ROOT, "%.0f", d);
    }
}
