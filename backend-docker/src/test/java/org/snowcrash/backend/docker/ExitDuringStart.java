package org.snowcrash.backend.docker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.snowcrash.api.BackendContext;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;

/**
 * A child program for {@link ProcessDeathTest}: starts a model in a container while another
 * thread calls {@code System.exit} after a given delay.
 * Arguments: model file, port, container name, delay in ms, image.
 */
public final class ExitDuringStart {

    private ExitDuringStart() {
    }

    public static void main(String[] args) throws Exception {
        ModelSpec spec = ModelSpec.builder("demo", Path.of(args[0])).port(Integer.parseInt(args[1]))
                .containerName(args[2]).memoryBytes(512L << 20).shmBytes(64L << 20)
                .startupTimeout(Duration.ofSeconds(60)).build();
        long delay = Long.parseLong(args[3]);
        Settings settings = Settings.of(Map.of("backend.docker.image", args[4], "backend.docker.pull", "never",
                "backend.docker.gpu", "off"));
        Thread exit = new Thread(() -> {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                return;
            }
            System.out.println("EXIT");
            System.out.flush();
            System.exit(0);
        });
        exit.start();
        new DockerBackend().start(spec, new BackendContext(settings, e -> {
            if (e instanceof LifecycleEvent.Progress && ((LifecycleEvent.Progress) e).message().startsWith("creating container")) {
                System.out.println("CREATING");
                System.out.flush();
            }
        }));
        System.out.println("READY");
        System.out.flush();
        exit.join();
    }
}
