package org.snowcrash.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.junit.jupiter.api.Test;

class SentenceSplitterTest {

    private static List<String> split(String text, int[] cuts) {
        SentenceSplitter s = new SentenceSplitter();
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            int to = Math.max(from, Math.min(cut, text.length()));
            out.addAll(s.accept(text.substring(from, to)));
            from = to;
        }
        out.addAll(s.accept(text.substring(from)));
        out.addAll(s.flush());
        return out;
    }

    private static List<String> whole(String text) {
        return split(text, new int[0]);
    }

    @Test
    void sentencesComeOutAsSoonAsTheyEnd() {
        SentenceSplitter s = new SentenceSplitter();
        assertEquals(List.of(), s.accept("Hello there"));
        assertEquals(List.of(), s.accept("."), "a terminator waits for what follows it");
        assertEquals(List.of("Hello there."), s.accept(" How"));
        assertEquals(List.of(" How are you?"), s.accept(" are you? I"));
        assertEquals(List.of(), s.accept(" am fine"));
        assertEquals(List.of(" I am fine"), s.flush());
    }

    @Test
    void abbreviationsNumbersAndInitialsDoNotEndASentence() {
        assertEquals(List.of("Dr. Smith paid 3.50 dollars, e.g. for tea.", " Then J. R. left!"),
                whole("Dr. Smith paid 3.50 dollars, e.g. for tea. Then J. R. left!"));
        assertEquals(List.of("Visit example.com today.", " Pi is 3.14159."), whole("Visit example.com today. Pi is 3.14159."));
        assertEquals(List.of("Steps:\n", "1. Open it.", " 2. Close it."), whole("Steps:\n1. Open it. 2. Close it."));
        assertEquals(List.of("He said \"stop.\"", " Then (quietly) left."), whole("He said \"stop.\" Then (quietly) left."));
        assertEquals(List.of("Wait...", " What?!", " Yes."), whole("Wait... What?! Yes."));
    }

    @Test
    void aLongRunIsCutAtAClause() {
        String longRun = "word, ".repeat(60) + "end";
        List<String> parts = whole(longRun);
        assertTrue(parts.size() > 1);
        assertTrue(parts.get(0).endsWith(","), parts.get(0));
        assertEquals(longRun, String.join("", parts));
    }

    /** Whatever the token boundaries, the sentences concatenate to exactly the streamed text. */
    @Property(tries = 1000)
    void concatenationGivesBackTheText(@ForAll("texts") String text, @ForAll long seed) {
        Random r = new Random(seed);
        int[] cuts = new int[r.nextInt(Math.max(1, text.length()) + 1)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = r.nextInt(text.length() + 1);
        }
        java.util.Arrays.sort(cuts);
        List<String> sentences = split(text, cuts);
        assertEquals(text, String.join("", sentences));
        assertTrue(sentences.stream().noneMatch(String::isEmpty));
    }

    /** The split does not depend on where the tokens were cut (only when sentences come out). */
    @Property(tries = 500)
    void tokenBoundariesDoNotChangeTheSentences(@ForAll("texts") String text, @ForAll long seed) {
        Random r = new Random(seed);
        int[] cuts = r.ints(r.nextInt(20), 0, text.length() + 1).sorted().toArray();
        assertEquals(whole(text), split(text, cuts));
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> words = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8),
                Arbitraries.of("Dr.", "e.g.", "3.14", "1.", "J.", "example.com", "\"", ")", "...", "?!", "\n", "\n\n", "…", "U.S."));
        Arbitrary<String> seps = Arbitraries.of(" ", " ", " ", ". ", "! ", "? ", ", ", "\n", "");
        return Arbitraries.oneOf(words, seps).list().ofMaxSize(80).map(l -> String.join("", l));
    }
}
