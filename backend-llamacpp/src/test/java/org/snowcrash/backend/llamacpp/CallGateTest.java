package org.snowcrash.backend.llamacpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The first pass of {@code tool_choice} auto: text goes through as it comes, a call is recognised
 * by its first non-blank character and nothing of it reaches the viewer (the second pass writes it).
 */
class CallGateTest {

    @Test
    void textPassesThroughOnceItsFirstCharacterIsKnown() {
        List<String> seen = new ArrayList<>();
        CallGate gate = new CallGate(seen::add);
        gate.accept(" ");
        gate.accept("\n");
        assertEquals(List.of(), seen, "blanks are held until the choice is made");
        gate.accept("Hi");
        gate.accept(" there {not a call}");
        gate.finish();
        assertEquals(List.of(" \nHi", " there {not a call}"), seen);
        assertFalse(gate.call());
    }

    @Test
    void aCallIsRecognisedAndNotHandedOn() {
        List<String> seen = new ArrayList<>();
        CallGate gate = new CallGate(seen::add);
        gate.accept("  ");
        gate.accept("{\"na");
        assertTrue(gate.call());
        gate.accept("me\":");
        gate.finish();
        assertEquals(List.of(), seen);
    }

    @Test
    void anAnswerOfBlanksOnlyIsHandedOnAtTheEnd() {
        List<String> seen = new ArrayList<>();
        CallGate gate = new CallGate(seen::add);
        gate.accept("  ");
        gate.finish();
        assertEquals(List.of("  "), seen);
        assertFalse(gate.call());
    }
}
