package org.snowcrash.models.gguf;

/**
 * Checks UTF-8 without decoding, so the reader knows what a {@link String} will take before it
 * builds one: the heap budget is charged first, and a malformed string allocates nothing more.
 * Accepts exactly the well-formed sequences of Unicode's table 3-7, as the JDK's decoder with
 * {@code REPORT} does (no overlong forms, no surrogates, nothing above U+10FFFF).
 */
final class Utf8 {

    private Utf8() {
    }

    /** The number of chars (UTF-16 code units) the first {@code len} bytes decode to, or -1 when malformed. */
    static int charCount(byte[] b, int len) {
        int chars = 0;
        int i = 0;
        while (i < len) {
            int b0 = b[i] & 0xff;
            if (b0 < 0x80) {
                i++;
                chars++;
                continue;
            }
            int more;
            int lo = 0x80;
            int hi = 0xbf;
            if (b0 >= 0xc2 && b0 <= 0xdf) {
                more = 1;
            } else if (b0 >= 0xe0 && b0 <= 0xef) {
                more = 2;
                lo = b0 == 0xe0 ? 0xa0 : 0x80;
                hi = b0 == 0xed ? 0x9f : 0xbf;
            } else if (b0 >= 0xf0 && b0 <= 0xf4) {
                more = 3;
                lo = b0 == 0xf0 ? 0x90 : 0x80;
                hi = b0 == 0xf4 ? 0x8f : 0xbf;
            } else {
                return -1;
            }
            if (i + more >= len) {
                return -1;
            }
            int b1 = b[i + 1] & 0xff;
            if (b1 < lo || b1 > hi) {
                return -1;
            }
            for (int k = 2; k <= more; k++) {
                int bk = b[i + k] & 0xff;
                if (bk < 0x80 || bk > 0xbf) {
                    return -1;
                }
            }
            i += more + 1;
            chars += more == 3 ? 2 : 1;
        }
        return chars;
    }

    /**
     * Whether well-formed UTF-8 decodes to chars up to U+00FF only, which the JVM's compact
     * strings store in one byte each: no lead byte above 0xC3.
     */
    static boolean isLatin1(byte[] b, int len) {
        for (int i = 0; i < len; i++) {
            if ((b[i] & 0xff) >= 0xc4) {
                return false;
            }
        }
        return true;
    }
}
