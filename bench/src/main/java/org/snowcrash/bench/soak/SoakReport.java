package org.snowcrash.bench.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a soak run found, and whether it kept its promises: every request answered in full or
 * failed typed within its timeout (none lost, duplicated, mixed or untyped), every kind of fault
 * caused at least once, resources flat from the first tenth of the run to its end, nothing left
 * behind.
 *
 * <p>"Flat" has these tolerances, because a JVM under load never reads the same twice: heap in
 * use after a full GC at most 16 MiB or 25 % above the first tenth's (whichever is larger); resident
 * memory at most 48 MiB or 15 % above; open descriptors and live threads (medians of the samples in
 * the last tenth against those from 8 % to 15 % of the run, both under the same load) at most 10
 * above. A leak of one descriptor, thread or few hundred kilobytes per request crosses these
 * within a few hundred requests.
 *
 * @param tenth      readings at the first tenth (after a GC); fds and threads are window medians
 * @param end        readings at the end, still under load (after a GC); fds and threads window medians
 * @param afterClose readings after everything was closed
 */
record SoakReport(SoakOptions options, Duration ran, int scenes, Ledger.Counts counts,
                  Map<ChaosLoop.Fault, Integer> caused, Map<ChaosLoop.Fault, Integer> tried, long burstRefused, long frozenTimeouts,
                  ResourceSampler.Sample tenth, ResourceSampler.Sample end, ResourceSampler.Sample afterClose,
                  List<String> containersLeft, List<String> tempLeft) {

    static final long MIB = 1 << 20;

    /** Every broken promise, one line each; empty when the run passed. */
    List<String> problems() {
        List<String> p = new ArrayList<>();
        if (counts.lost() > 0 || counts.duplicated() > 0 || counts.mixed() > 0 || counts.untyped() > 0) {
            p.add("requests lost " + counts.lost() + ", duplicated " + counts.duplicated() + ", mixed " + counts.mixed()
                    + ", untyped failures " + counts.untyped());
        }
        if (counts.answered() == 0) {
            p.add("no request was answered");
        }
        for (ChaosLoop.Fault f : ChaosLoop.Fault.values()) {
            if (caused.getOrDefault(f, 0) == 0) {
                p.add("fault " + f + " was never caused (" + tried.getOrDefault(f, 0) + " tries)");
            }
        }
        if (caused.getOrDefault(ChaosLoop.Fault.PAUSE, 0) > 0 && frozenTimeouts == 0) {
            p.add("no pause made a request of the frozen part fail with a typed timeout");
        }
        if (end.heapBytes() > tenth.heapBytes() + Math.max(16 * MIB, tenth.heapBytes() / 4)) {
            p.add("heap after GC grew from " + mib(tenth.heapBytes()) + " to " + mib(end.heapBytes()));
        }
        if (end.rssBytes() > tenth.rssBytes() + Math.max(48 * MIB, tenth.rssBytes() * 15 / 100)) {
            p.add("resident memory grew from " + mib(tenth.rssBytes()) + " to " + mib(end.rssBytes()));
        }
        if (end.fds() > tenth.fds() + 10) {
            p.add("open descriptors grew from " + tenth.fds() + " to " + end.fds());
        }
        if (end.threads() > tenth.threads() + 10) {
            p.add("threads grew from " + tenth.threads() + " to " + end.threads());
        }
        if (!containersLeft.isEmpty()) {
            p.add("containers left behind: " + containersLeft);
        }
        if (!tempLeft.isEmpty()) {
            p.add("temporary files left behind: " + tempLeft);
        }
        return p;
    }

    /** The report for people, one figure a line. */
    String render() {
        StringBuilder b = new StringBuilder();
        line(b, "duration", String.format(Locale.ROOT, "%.1f min (%d HTTP clients through serve, %d agents, %d scenes, timeout %d s)",
                ran.toMillis() / 60_000.0, options.httpClients(), options.agents(), scenes, options.timeout().toSeconds()));
        line(b, "requests", String.valueOf(counts.requests()));
        line(b, "faults caused", caused.values().stream().mapToInt(Integer::intValue).sum() + " ("
                + faults(caused, tried) + ")");
        line(b, "answered", counts.answered() + (counts.offScene() > 0 ? " (" + counts.offScene()
                + " unmixed but not naming exactly their scene)" : ""));
        line(b, "typed failures", counts.typedTotal() + " (" + counts.typed().entrySet().stream()
                .sorted(Map.Entry.comparingByValue(Comparator.reverseOrder()))
                .map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", ")) + ")");
        line(b, "pauses ended by a typed timeout", frozenTimeouts + " of " + caused.getOrDefault(ChaosLoop.Fault.PAUSE, 0));
        line(b, "refused in bursts", burstRefused + " (429 model_busy, counted in typed failures)");
        line(b, "lost / duplicated / mixed / untyped", counts.lost() + " / " + counts.duplicated() + " / " + counts.mixed()
                + " / " + counts.untyped());
        line(b, "resident memory", mib(tenth.rssBytes()) + " at 1/10, " + mib(end.rssBytes()) + " at end, "
                + mib(afterClose.rssBytes()) + " after close");
        line(b, "heap after GC", mib(tenth.heapBytes()) + " at 1/10, " + mib(end.heapBytes()) + " at end");
        line(b, "open descriptors", tenth.fds() + " at 1/10, " + end.fds() + " at end, " + afterClose.fds() + " after close");
        line(b, "threads", tenth.threads() + " at 1/10, " + end.threads() + " at end, " + afterClose.threads() + " after close");
        line(b, "left behind", containersLeft.size() + " containers, " + tempLeft.size() + " temporary files");
        for (String d : counts.defects()) {
            line(b, "defect", d);
        }
        List<String> problems = problems();
        line(b, "result", problems.isEmpty() ? "PASS" : "FAIL: " + String.join("; ", problems));
        return b.toString();
    }

    private static void line(StringBuilder b, String name, String value) {
        b.append(String.format(Locale.ROOT, "%-36s %s%n", name, value));
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) MIB);
    }

    /** Faults per kind as "kill 3/3, ...": caused of tried. */
    private static String faults(Map<ChaosLoop.Fault, Integer> caused, Map<ChaosLoop.Fault, Integer> tried) {
        List<String> parts = new ArrayList<>();
        for (ChaosLoop.Fault f : ChaosLoop.Fault.values()) {
            parts.add(f.name().toLowerCase(Locale.ROOT).replace('_', ' ') + " " + caused.getOrDefault(f, 0) + "/"
                    + tried.getOrDefault(f, 0));
        }
        return String.join(", ", parts) + ", caused/tried";
    }
}
