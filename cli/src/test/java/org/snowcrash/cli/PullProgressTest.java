package org.snowcrash.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The download progress output, on a clock the test moves. */
class PullProgressTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long MIB = 1L << 20;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong now = new AtomicLong();

    private List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void offATerminalALineEachTenthWithSpeedAndTimeLeft() {
        PullProgress p = new PullProgress(err, false, now::get);
        long total = 100 * MIB;
        p.progress(0, total);
        for (int i = 1; i <= 100; i++) {      // 1 MiB every 100 ms: 10 MiB/s
            now.addAndGet(SECOND / 10);
            p.progress(i * MIB, total);
        }
        List<String> l = lines();
        assertEquals(10, l.size(), l.toString());
        assertEquals("   10% 10.0 MiB of 100 MiB, 10.0 MiB/s, 9 s left", l.get(0));
        assertEquals("   50% 50.0 MiB of 100 MiB, 10.0 MiB/s, 5 s left", l.get(4));
        assertEquals("  100% 100 MiB of 100 MiB, 10.0 MiB/s", l.get(9));
        assertTrue(l.stream().noneMatch(s -> s.contains("\r") || s.contains("\u001b")), l.toString());
    }

    @Test
    void aSlowDownloadStillPrintsEveryFiveSecondsAndAResumeCountsOnlyNewBytes() {
        PullProgress p = new PullProgress(err, false, now::get);
        long total = 1000 * MIB;
        p.progress(400 * MIB, total);          // resumed: 400 MiB were on disk already
        for (int i = 1; i <= 12; i++) {        // 1 MiB/s: 12 s, not a tenth
            now.addAndGet(SECOND);
            p.progress(400 * MIB + i * MIB, total);
        }
        assertEquals(List.of("   40% 405 MiB of 1000 MiB, 1.00 MiB/s, 9m55s left",
                "   41% 410 MiB of 1000 MiB, 1.00 MiB/s, 9m50s left"), lines());
    }

    @Test
    void anUnknownSizeShowsBytesAndSpeedOnly() {
        PullProgress p = new PullProgress(err, false, now::get);
        p.progress(0, -1);
        now.addAndGet(5 * SECOND);
        p.progress(5 * 1024, -1);
        assertEquals(List.of("  5.00 KiB, 1.00 KiB/s"), lines());
    }

    @Test
    void onATerminalOneRedrawnLineAndNotesOnTheirOwnLines() {
        PullProgress p = new PullProgress(err, true, now::get);
        p.progress(0, 10 * MIB);
        now.addAndGet(SECOND);
        p.progress(5 * MIB, 10 * MIB);
        now.addAndGet(SECOND / 100);            // too soon to redraw
        p.progress(6 * MIB, 10 * MIB);
        p.note("a note");
        now.addAndGet(SECOND);
        p.progress(10 * MIB, 10 * MIB);
        p.finish();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals("\r   50% 5.00 MiB of 10.0 MiB, 5.00 MiB/s, 1 s left\u001b[K"
                + "\r\u001b[K  a note\n"
                + "\r  100% 10.0 MiB of 10.0 MiB, 4.98 MiB/s\u001b[K\n", out);
    }

    @Test
    void sizesAndDurationsReadWell() {
        assertEquals("512 B", PullProgress.bytes(512));
        assertEquals("1.88 GiB", PullProgress.bytes(2_018_634_629L));
        assertEquals("59 s", PullProgress.duration(59));
        assertEquals("3m05s", PullProgress.duration(185));
        assertEquals("1h02m", PullProgress.duration(3725));
    }
}
