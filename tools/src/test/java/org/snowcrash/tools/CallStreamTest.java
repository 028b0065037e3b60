package org.snowcrash.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.snowcrash.api.TokenSink;
import org.snowcrash.api.ToolCallDelta;

class CallStreamTest {

    private static final String TWO_CALLS = "{\"name\":\"move\",\"arguments\":{\"direction\":\"forward\",\"meters\":3}}\n"
            + "{\"name\":\"turn\",\"arguments\":{\"direction\":\"left\",\"note\":\"a } in \\\" text\",\"degrees\":90}}";

    /** Records what a viewer would see. */
    static final class Seen implements TokenSink {
        final StringBuilder text = new StringBuilder();
        final List<ToolCallDelta> deltas = new ArrayList<>();

        @Override
        public void accept(String piece) {
            text.append(piece);
        }

        @Override
        public void toolCall(ToolCallDelta delta) {
            deltas.add(delta);
        }

        Map<Integer, String> argumentsByIndex() {
            Map<Integer, String> m = new LinkedHashMap<>();
            deltas.forEach(d -> m.merge(d.index(), d.arguments(), String::concat));
            return m;
        }
    }

    @Test
    void aTextAnswerPassesThroughAsText() {
        Seen seen = new Seen();
        CallStream s = new CallStream(seen);
        s.accept("  Hello");
        s.accept("! I am here.");
        assertEquals("  Hello! I am here.", seen.text.toString());
        assertTrue(seen.deltas.isEmpty());
        assertEquals(new Reading.Text("  Hello! I am here."), s.finish());
    }

    @Test
    void callsStreamIdAndNameFirstThenArgumentFragmentsThatAddUpToTheCall() {
        Seen seen = new Seen();
        CallStream s = new CallStream(seen);
        for (String piece : List.of("{\"name\":\"mo", "ve\",\"argu", "ments\":{\"direction\":\"forw", "ard\",\"meters\":3}}\n",
                TWO_CALLS.substring(TWO_CALLS.indexOf('\n') + 1))) {
            s.accept(piece);
        }
        Reading.Calls calls = assertInstanceOf(Reading.Calls.class, s.finish());
        assertEquals("", seen.text.toString());
        assertEquals(2, calls.calls().size());
        ToolCallDelta first = seen.deltas.get(0);
        assertEquals("move", first.name());
        assertEquals(calls.calls().get(0).id(), first.id());
        assertTrue(seen.deltas.stream().filter(ToolCallDelta::opensCall).count() == 2);
        assertEquals("{\"direction\":\"forward\",\"meters\":3}", calls.calls().get(0).arguments());
        assertEquals(calls.calls().get(0).arguments(), seen.argumentsByIndex().get(0));
        assertEquals(calls.calls().get(1).arguments(), seen.argumentsByIndex().get(1));
        assertEquals("{\"direction\":\"left\",\"note\":\"a } in \\\" text\",\"degrees\":90}", calls.calls().get(1).arguments());
    }

    @Property(tries = 200)
    void howeverTheAnswerIsCutIntoPiecesTheSameCallsArrive(@ForAll @Size(max = 12) List<@IntRange(min = 1, max = 40) Integer> cuts) {
        Seen seen = new Seen();
        CallStream s = new CallStream(seen);
        int at = 0;
        for (int cut : cuts) {
            int end = Math.min(TWO_CALLS.length(), at + cut);
            if (end > at) {
                s.accept(TWO_CALLS.substring(at, end));
            }
            at = end;
        }
        if (at < TWO_CALLS.length()) {
            s.accept(TWO_CALLS.substring(at));
        }
        Reading.Calls calls = assertInstanceOf(Reading.Calls.class, s.finish());
        assertEquals(List.of("move", "turn"), calls.calls().stream().map(c -> c.name()).toList());
        Map<Integer, String> args = seen.argumentsByIndex();
        assertEquals(calls.calls().get(0).arguments(), args.get(0));
        assertEquals(calls.calls().get(1).arguments(), args.get(1));
    }

    @Test
    void aCallCutShortIsMalformedNotACall() {
        Seen seen = new Seen();
        CallStream s = new CallStream(seen);
        s.accept("{\"name\":\"move\",\"arguments\":{\"direction\":\"for");
        assertInstanceOf(Reading.Malformed.class, s.finish());
    }

    @Test
    void braceTextThatIsNoCallIsMalformed() {
        assertInstanceOf(Reading.Malformed.class, Reading.of("{not json"));
        assertInstanceOf(Reading.Malformed.class, Reading.of("{\"name\":\"move\"}"));
        assertInstanceOf(Reading.Malformed.class, Reading.of("{\"name\":\"move\",\"arguments\":[1]}"));
    }
}
