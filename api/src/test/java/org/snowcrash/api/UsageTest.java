package org.snowcrash.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class UsageTest {

    @Test
    void cachedTokensArePartOfThePrompt() {
        Usage u = new Usage(212, 32, 180);
        assertEquals(32, u.processedPromptTokens());
        assertEquals(244, u.totalTokens());
    }

    @Test
    void theTwoCountConstructorMeansNothingCached() {
        Usage u = new Usage(10, 2);
        assertEquals(0, u.cachedPromptTokens());
        assertEquals(10, u.processedPromptTokens());
    }

    @Test
    void impossibleCountsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Usage(10, 2, -1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Usage(10, 2, 11));
        assertEquals("cached prompt tokens (11) cannot exceed the prompt tokens (10)", e.getMessage());
    }
}
