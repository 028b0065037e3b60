package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.github.dockerjava.api.DockerClient;

/** Stopping containers at exit is bounded even when the daemon accepts and never answers. */
class HungDaemonTest {

    @Test
    void removalGivesUpWithinItsBoundAndNamesWhatItCouldNotStop() throws Exception {
        try (HungSocket hung = new HungSocket()) {
            // The API timeout is long on purpose: only the removal bound may end the wait.
            DockerClient client = DockerEngine.client(hung.dockerHost(), Duration.ofMinutes(5));
            List<ContainerTracker.Tracked> targets = List.of(
                    new ContainerTracker.Tracked("id-one", "snowcrash-llama-server", client, Duration.ofMillis(800)),
                    new ContainerTracker.Tracked("id-two", "snowcrash-phi3-server", client, Duration.ofMillis(800)));
            long t0 = System.nanoTime();
            List<String> left = ContainerTracker.removeAll(targets, Duration.ofMillis(800));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(List.of("snowcrash-llama-server", "snowcrash-phi3-server"), left);
            assertTrue(ms < 5_000, "bounded, not hung: " + ms + " ms");
        }
    }
}
