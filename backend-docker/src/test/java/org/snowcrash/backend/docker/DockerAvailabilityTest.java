package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.snowcrash.api.Availability;
import org.snowcrash.api.BackendContext;
import org.snowcrash.api.LlmBackend;
import org.snowcrash.api.Settings;

/** Availability answers quickly and says why, whatever the engine does; no engine needed. */
class DockerAvailabilityTest {

    @Test
    void serviceLoaderFindsIt() {
        List<String> ids = ServiceLoader.load(LlmBackend.class).stream().map(p -> p.get().id()).collect(Collectors.toList());
        assertEquals(List.of("docker"), ids);
        assertEquals(20, new DockerBackend().defaultPriority());
    }

    @Test
    void aMissingSocketIsNamed() {
        Availability a = new DockerBackend(Map.of()).availability(BackendContext.of(
                Settings.of(Map.of("backend.docker.host", "unix:///nonexistent/docker.sock"))));
        Availability.Unavailable u = assertInstanceOf(Availability.Unavailable.class, a);
        assertTrue(u.reason().contains("/nonexistent/docker.sock does not exist"), u.reason());
    }

    @Test
    void dockerHostFromTheEnvironmentIsUsedAndConfigurationBeatsIt() {
        Availability fromEnv = new DockerBackend(Map.of("DOCKER_HOST", "unix:///env/docker.sock"))
                .availability(BackendContext.of(Settings.empty()));
        assertTrue(((Availability.Unavailable) fromEnv).reason().contains("/env/docker.sock"));
        Availability fromConfig = new DockerBackend(Map.of("DOCKER_HOST", "unix:///env/docker.sock"))
                .availability(BackendContext.of(Settings.of(Map.of("backend.docker.host", "unix:///cfg/docker.sock"))));
        assertTrue(((Availability.Unavailable) fromConfig).reason().contains("/cfg/docker.sock"));
    }

    @Test
    void aBadSettingMakesItUnavailableWithTheKeyNamed() {
        Availability a = new DockerBackend(Map.of()).availability(BackendContext.of(
                Settings.of(Map.of("backend.docker.pull", "sometimes", "backend.docker.ping-timeout", "soon"))));
        String reason = ((Availability.Unavailable) a).reason();
        assertTrue(reason.contains("backend.docker.pull=sometimes"), reason);
        assertTrue(reason.contains("backend.docker.ping-timeout=soon"), reason);
        Availability typo = new DockerBackend(Map.of()).availability(BackendContext.of(
                Settings.of(Map.of("backend.docker.imgae", "x"))));
        assertTrue(((Availability.Unavailable) typo).reason().contains(
                "backend.docker.imgae=x (from map): unknown key; did you mean backend.docker.image?"), typo.toString());
    }

    /** A daemon that accepts connections and never answers: the ping gives up within its timeout. */
    @Test
    void aHungDaemonGivesUpWithinThePingTimeout() throws Exception {
        try (HungSocket hung = new HungSocket()) {
            long t0 = System.nanoTime();
            Availability a = new DockerBackend(Map.of()).availability(BackendContext.of(Settings.of(Map.of(
                    "backend.docker.host", hung.dockerHost(), "backend.docker.ping-timeout", "500ms"))));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            Availability.Unavailable u = assertInstanceOf(Availability.Unavailable.class, a);
            assertTrue(u.reason().contains("did not answer a ping within 500 ms"), u.reason());
            // A bound, not a benchmark: a hang would take forever, this takes the timeout plus set-up.
            assertTrue(ms < 10_000, "returned after " + ms + " ms");
        }
    }
}
