package org.snowcrash.backend.docker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.snowcrash.api.BackendContext;
import org.snowcrash.api.Cancellation;
import org.snowcrash.api.ChatMessage;
import org.snowcrash.api.ChatRequest;
import org.snowcrash.api.LifecycleEvent;
import org.snowcrash.api.ModelSession;
import org.snowcrash.api.ModelSpec;
import org.snowcrash.api.Settings;

/**
 * A child program for the process-death tests: starts a model in a container and, at a named
 * lifecycle point, either calls {@code System.exit} ({@code exit}) or prints the point's name and
 * stops there, waiting to be killed ({@code wait}). The point is reached through the backend's own
 * progress events, so the tests never guess a moment with a sleep. After READY with {@code wait},
 * each line on stdin is a question, answered on stdout as {@code ANSWER <tokens>}.
 *
 * <p>Arguments: model file, port, container name, point ({@code CREATING}, {@code CREATED},
 * {@code LOADING}, {@code READY}), action, image, run label value.
 */
public final class DieAtPoint {

    private DieAtPoint() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("PID " + ProcessHandle.current().pid());
        ModelSpec spec = ModelSpec.builder("demo", Path.of(args[0])).startupTimeout(Duration.ofSeconds(90)).build();
        String point = args[3];
        boolean exit = args[4].equals("exit");
        Settings settings = Settings.of(Map.of("backend.docker.image", args[5], "backend.docker.pull", "never",
                "backend.docker.gpu", "off", "backend.docker.labels", DockerTestSupport.RUN_LABEL + "=" + args[6],
                "model.demo.port", args[1], "model.demo.container", args[2], "model.demo.memory", "512m",
                "model.demo.shm-size", "64m"));
        ModelSession session = new DockerBackend().start(spec, new BackendContext(settings, e -> {
            if (e instanceof LifecycleEvent.Progress p && p.message().startsWith(prefix(point))) {
                reached(point, exit);
                // Stay at this point until killed.
                try {
                    new java.util.concurrent.CountDownLatch(1).await();
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
        }));
        reached("READY", exit);
        var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) {
            var r = session.stream(ChatRequest.of(java.util.List.of(ChatMessage.user(line)), 4).withTemperature(0),
                    t -> { }, new Cancellation());
            System.out.println("ANSWER " + r.usage().completionTokens());
            System.out.flush();
        }
        session.close();
        System.out.println("CLOSED");
        System.out.flush();
    }

    private static String prefix(String point) {
        return switch (point) {
            case "CREATING" -> ContainerLauncher.CREATING;
            case "CREATED" -> ContainerLauncher.CREATED;
            case "LOADING" -> ContainerLauncher.LOADING;
            default -> "\u0000never";
        };
    }

    private static void reached(String point, boolean exit) {
        System.out.println(point);
        System.out.flush();
        if (exit) {
            System.exit(0);
        }
    }
}
