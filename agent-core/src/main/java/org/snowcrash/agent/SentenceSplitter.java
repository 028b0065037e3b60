package org.snowcrash.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cuts streamed text into sentences as soon as each is complete, for text-to-speech, which wants
 * whole sentences early. Feed it pieces in order with {@link #accept(String)}; it returns the
 * sentences completed so far; {@link #flush()} returns what is left at the end.
 *
 * <p>Concatenating every sentence returned (including the flush) gives back exactly the text fed
 * in: a sentence ends with its terminator (and closing quotes or brackets), and the whitespace
 * after it starts the next one. A terminator ({@code . ! ? …} or a line break) ends a sentence
 * only when whitespace follows, so {@code 3.14} and {@code example.com} stay whole, and a period
 * after a known abbreviation ({@code Dr.}, {@code e.g.}, {@code etc.}), a single letter (an
 * initial) or a number ({@code 1.} in a list) does not end one. A run longer than
 * {@value #MAX_CHARS} characters with no sentence end is cut after its last comma, semicolon or
 * space (a clause), so speech never waits too long. Not thread-safe: one splitter per stream.
 */
public final class SentenceSplitter {

    /** Longest text held back without a sentence end. */
    public static final int MAX_CHARS = 240;

    private static final Set<String> ABBREVIATIONS = Set.of(
            "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "eg", "ie", "no", "fig",
            "approx", "inc", "ltd", "co", "corp", "dept", "est", "mt", "jan", "feb", "mar", "apr", "jun", "jul",
            "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "a.m", "p.m", "cf", "al");
    private static final String CLOSERS = "\"')]}»”’";

    private final StringBuilder pending = new StringBuilder();

    /** Adds a piece; returns the sentences it completed, oldest first (often none). */
    public List<String> accept(String piece) {
        pending.append(piece);
        List<String> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < pending.length()) {
            if (i - start >= MAX_CHARS) {
                // Too long without a sentence end: cut a clause, decided from these MAX_CHARS + 1
                // characters only, so where the tokens happened to split never moves the cut.
                int cut = clauseEnd(start, start + MAX_CHARS);
                out.add(pending.substring(start, cut));
                start = cut;
                i = cut;
                continue;
            }
            char c = pending.charAt(i);
            if (c == '\n') {
                // A line break ends a sentence (list items, paragraphs); following breaks join it.
                int end = i + 1;
                while (end < pending.length() && pending.charAt(end) == '\n') {
                    end++;
                }
                if (end == pending.length()) {
                    break; // more breaks may follow
                }
                if (end > start) {
                    out.add(pending.substring(start, end));
                }
                start = end;
                i = end;
                continue;
            }
            if (isTerminator(c)) {
                int end = i + 1;
                while (end < pending.length() && (isTerminator(pending.charAt(end)) || CLOSERS.indexOf(pending.charAt(end)) >= 0)) {
                    end++;
                }
                if (end == pending.length()) {
                    break; // the next piece decides
                }
                char next = pending.charAt(end);
                if (Character.isWhitespace(next) && next != '\n' && !(c == '.' && noSentenceEnd(start, i))) {
                    out.add(pending.substring(start, end));
                    start = end;
                }
                i = end;
                continue;
            }
            i++;
        }
        pending.delete(0, start);
        return out;
    }

    /** The text not yet returned, as a last sentence (empty list when nothing is left). */
    public List<String> flush() {
        if (pending.length() == 0) {
            return List.of();
        }
        String rest = pending.toString();
        pending.setLength(0);
        return List.of(rest);
    }

    private static boolean isTerminator(char c) {
        return c == '.' || c == '!' || c == '?' || c == '…' || c == '。' || c == '！' || c == '？';
    }

    /** Whether the period at {@code dot} follows an abbreviation, an initial or a number. */
    private boolean noSentenceEnd(int sentenceStart, int dot) {
        int w = dot;
        while (w > sentenceStart && !Character.isWhitespace(pending.charAt(w - 1)) && CLOSERS.indexOf(pending.charAt(w - 1)) < 0
                && pending.charAt(w - 1) != '(' && pending.charAt(w - 1) != '"') {
            w--;
        }
        String word = pending.substring(w, dot);
        if (word.isEmpty()) {
            return false;
        }
        if (word.length() == 1 && Character.isLetter(word.charAt(0))) {
            return true; // an initial: "J. Smith"
        }
        if (word.chars().allMatch(Character::isDigit)) {
            return true; // a list number: "1. First"
        }
        return ABBREVIATIONS.contains(word.toLowerCase(Locale.ROOT));
    }

    /**
     * Where to cut an over-long run {@code [from, to]} (both characters present): after its last
     * comma, semicolon or colon that a space follows, else before its last space, else at {@code to}.
     */
    private int clauseEnd(int from, int to) {
        for (int k = to - 1; k > from; k--) {
            char c = pending.charAt(k);
            if ((c == ',' || c == ';' || c == ':') && Character.isWhitespace(pending.charAt(k + 1))) {
                return k + 1;
            }
        }
        for (int k = to; k > from; k--) {
            if (Character.isWhitespace(pending.charAt(k))) {
                return k;
            }
        }
        return to;
    }
}
