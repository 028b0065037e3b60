package org.snowcrash.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

import org.snowcrash.hub.DownloadListener;

/**
 * Shows a download on stderr. On a terminal: one status line redrawn at most five times a second
 * (percent, bytes, speed, time left). Otherwise (a log, a pipe, CI): plain lines, one each time
 * another tenth of the file has arrived and at least every 5 s, without control characters.
 * Speed counts only this run's bytes, not those a resumed partial file already held.
 */
final class PullProgress implements DownloadListener {

    static final long PLAIN_EVERY_NANOS = 5_000_000_000L;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream err;
    private final boolean terminal;
    private final LongSupplier nanos;
    private long startNanos = -1;
    private long startBytes;
    private long lastLineNanos;
    private long lastTenth = -1;
    private boolean statusShown;

    PullProgress(PrintStream err, boolean terminal, LongSupplier nanos) {
        this.err = err;
        this.terminal = terminal;
        this.nanos = nanos;
    }

    @Override
    public synchronized void note(String message) {
        clearStatus();
        err.println("  " + message);
        err.flush();
    }

    @Override
    public synchronized void progress(long done, long total) {
        long now = nanos.getAsLong();
        if (startNanos < 0) {
            startNanos = now;
            startBytes = done;
            lastLineNanos = now;
            lastTenth = total > 0 ? done * 10 / total : -1;
            return;
        }
        long tenth = total > 0 ? done * 10 / total : -1;
        if (terminal) {
            if (now - lastLineNanos >= REDRAW_NANOS || (total > 0 && done == total)) {
                err.print("\r" + line(done, total, now) + "\u001b[K");
                err.flush();
                statusShown = true;
                lastLineNanos = now;
            }
            return;
        }
        if (tenth > lastTenth || now - lastLineNanos >= PLAIN_EVERY_NANOS) {
            err.println(line(done, total, now));
            err.flush();
            lastTenth = Math.max(tenth, lastTenth);
            lastLineNanos = now;
        }
    }

    /** Ends the status line of a terminal so that what follows starts on its own line. */
    synchronized void finish() {
        if (statusShown) {
            err.println();
            err.flush();
            statusShown = false;
        }
    }

    private void clearStatus() {
        if (statusShown) {
            err.print("\r\u001b[K");
            statusShown = false;
        }
    }

    String line(long done, long total, long now) {
        double seconds = (now - startNanos) / 1e9;
        double speed = seconds > 0 ? (done - startBytes) / seconds : 0;
        StringBuilder b = new StringBuilder("  ");
        if (total > 0) {
            b.append(String.format(Locale.ROOT, "%3d%% ", done * 100 / total)).append(bytes(done)).append(" of ").append(bytes(total));
        } else {
            b.append(bytes(done));
        }
        b.append(", ").append(bytes((long) speed)).append("/s");
        if (total > 0 && speed > 0 && done < total) {
            b.append(", ").append(duration((long) Math.ceil((total - done) / speed))).append(" left");
        }
        return b.toString();
    }

    /** {@code 512 B}, {@code 12.3 KiB}, {@code 1.88 GiB}. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v, units[u]);
    }

    /** {@code 7 s}, {@code 3m05s}, {@code 1h02m}. */
    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
    }
}
