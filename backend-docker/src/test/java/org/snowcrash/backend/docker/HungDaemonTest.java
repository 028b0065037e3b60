package org.snowcrash.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import com.github.dockerjava.api.DockerClient;

/** Stopping containers at exit is bounded even when the daemon accepts and never answers. */
class HungDaemonTest {

    @Test
    void removalGivesUpWithinItsBoundAndNamesWhatItCouldNotStop() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(hung.accept());
                    }
                } catch (java.io.IOException e) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            // The API timeout is long on purpose: only the removal bound may end the wait.
            DockerClient client = DockerEngine.client("tcp://127.0.0.1:" + hung.getLocalPort(), Duration.ofMinutes(5));
            List<ContainerTracker.Tracked> targets = List.of(
                    new ContainerTracker.Tracked("id-one", "snowcrash-llama-server", client, Duration.ofMillis(800)),
                    new ContainerTracker.Tracked("id-two", "snowcrash-phi3-server", client, Duration.ofMillis(800)));
            long t0 = System.nanoTime();
            List<String> left = ContainerTracker.removeAll(targets, Duration.ofMillis(800));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(List.of("snowcrash-llama-server", "snowcrash-phi3-server"), left);
            assertTrue(ms < 5_000, "bounded, not hung: " + ms + " ms");
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}
