package org.snowcrash.bench.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.snowcrash.backend.docker.RequiresDocker;

/**
 * The short form of the soak-and-chaos run (the long one is {@link Soak}, run by hand): 75 s of
 * three HTTP clients streaming through {@code serve} and one {@code Agent}, while every kind of
 * fault is caused for real at least once (the run goes on until each was). Asserts outcomes and
 * counts, never times.
 */
@RequiresDocker
class SoakTest {

    @Test
    void everyRequestEndsOnceAndTypedUnderChaosAndNothingIsLeft() throws Exception {
        SoakOptions defaults = SoakOptions.defaults();
        SoakOptions options = new SoakOptions(Duration.ofSeconds(75), 3, 1, defaults.timeout(), Duration.ofSeconds(2),
                defaults.image());
        SoakReport report = new SoakRun(options, System.err::println).run();
        String text = report.render();
        System.err.print(text);
        for (ChaosLoop.Fault f : ChaosLoop.Fault.values()) {
            assertTrue(report.caused().get(f) >= 1, f + " caused\n" + text);
        }
        assertTrue(report.counts().answered() > 0, text);
        assertTrue(report.counts().typedTotal() > 0, "the faults made requests fail typed\n" + text);
        assertTrue(report.frozenTimeouts() > 0, "a pause froze a request, which failed with a typed timeout\n" + text);
        assertTrue(report.burstRefused() > 0, "the queue refused some of a burst with 429\n" + text);
        assertEquals(0, report.counts().lost(), text);
        assertEquals(0, report.counts().duplicated(), text);
        assertEquals(0, report.counts().mixed(), text);
        assertEquals(0, report.counts().untyped(), text);
        assertEquals(report.counts().requests(), report.counts().answered() + report.counts().typedTotal(),
                "every request answered or failed typed\n" + text);
        assertTrue(report.containersLeft().isEmpty(), text);
        assertTrue(report.tempLeft().isEmpty(), text);
        assertTrue(report.problems().isEmpty(), text);
    }

    @Test
    void badOptionsAreNamed() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SoakOptions.parse(new String[] {"--clients", "many", "--minutes", "-1", "--colour", "x"}));
        assertTrue(e.getMessage().contains("--clients: must be a whole number from 1 to 16, got 'many'"), e.getMessage());
        assertTrue(e.getMessage().contains("--minutes: must be a number from 0.1 to 1440, got '-1'"), e.getMessage());
        assertTrue(e.getMessage().contains("--colour: unknown option"), e.getMessage());
    }
}
