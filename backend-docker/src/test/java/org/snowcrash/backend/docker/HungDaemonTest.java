package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.github.dockerjava.api.DockerClient;

/** Stopping containers at exit is bounded even when the daemon accepts and never answers. */
class HungDaemonTest {

    @Test
    void anExitWithAHungDaemonEndsWithinTheStopBoundAndNamesWhatItCouldNotRemove() throws Exception {
        try (HungSocket hung = new HungSocket()) {
            Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), ExitWithHungDaemon.class.getName(),
                    hung.dockerHost(), "1500").redirectErrorStream(true).start();
            StringBuilder out = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    out.append(new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                } catch (java.io.IOException e) {
                    // the child went away
                }
            });
            reader.start();
            // Start-up of a JVM plus the 1.5 s bound; a hang (the listing at exit used to be outside the bound) never ends.
            boolean ended = p.waitFor(20, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly();
            }
            reader.join(5_000);
            assertTrue(ended, "the process ended despite the hung daemon: " + out);
            assertTrue(out.toString().contains("EXITING"), out.toString());
            assertTrue(out.toString().contains("snowcrash-hung-test"), "it names what it could not remove: " + out);
        }
    }

    @Test
    void removalGivesUpWithinItsBoundAndNamesWhatItCouldNotStop() throws Exception {
        try (HungSocket hung = new HungSocket()) {
            // The API timeout is long on purpose: only the removal bound may end the wait.
            DockerClient client = DockerEngine.client(hung.dockerHost(), Duration.ofMinutes(5));
            List<ContainerTracker.Tracked> targets = List.of(
                    new ContainerTracker.Tracked("id-one", "snowcrash-llama-server", client, Duration.ofMillis(800)),
                    new ContainerTracker.Tracked("id-two", "snowcrash-phi3-server", client, Duration.ofMillis(800)));
            long t0 = System.nanoTime();
            List<String> left = Reaper.removeInParallel(targets, Duration.ofMillis(800));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(List.of("snowcrash-llama-server", "snowcrash-phi3-server"), left);
            assertTrue(ms < 5_000, "bounded, not hung: " + ms + " ms");
        }
    }
}
